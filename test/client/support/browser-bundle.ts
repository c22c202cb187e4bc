import { build, type BuildOptions } from 'esbuild';

/**
 * What a browser app's bundler makes of an entry (esbuild: ESM, minified, in memory): the modules it
 * pulled in and the bundle's size in bytes.
 */
export async function bundleForBrowser(entry: Pick<BuildOptions, 'entryPoints' | 'stdin' | 'absWorkingDir'>) {
  const result = await build({
    ...entry,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    minify: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return { inputs: Object.keys(result.metafile.inputs), bytes: result.outputFiles[0]?.contents.byteLength ?? 0 };
}

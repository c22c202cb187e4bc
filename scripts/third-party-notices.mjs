// Collects the licence notices of the third-party packages esbuild put into one bundle, from the
// build's metafile: every input file under node_modules/ names its package; each package is listed
// once with its version, its declared licence and the text of its licence and NOTICE files.
// bundle.mjs writes the result beside each bundle as THIRD-PARTY-NOTICES.txt.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Files that carry a package's licence terms or the notices Apache-2.0 section 4(d) asks to keep. */
const NOTICE_FILE = /^(licen[cs]e|copying|notice)([.-].*)?$/i;

/**
 * The package directory (relative to root) that an esbuild input path belongs to: the last
 * `node_modules/<name>` or `node_modules/@scope/<name>` in it; undefined for the project's own files.
 */
export function packageDirOf(inputPath) {
  const parts = inputPath.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length) return undefined;
  const length = parts[at + 1].startsWith('@') ? 2 : 1;
  return parts.slice(0, at + 1 + length).join('/');
}

/** The bundled packages of one esbuild metafile output: [{ name, version, license, dir, files }]. */
export function bundledPackages(metafile, root) {
  const dirs = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      // A file tree-shaken out entirely contributes no code, so no notice.
      if (bytesInOutput === 0) continue;
      const dir = packageDirOf(input);
      if (dir) dirs.add(dir);
    }
  }
  return [...dirs]
    .map((dir) => {
      const absolute = path.join(root, dir);
      const manifest = JSON.parse(readFileSync(path.join(absolute, 'package.json'), 'utf8'));
      const license =
        typeof manifest.license === 'string' ? manifest.license : (manifest.license?.type ?? 'not declared');
      const files = existsSync(absolute)
        ? readdirSync(absolute)
            .filter((f) => NOTICE_FILE.test(f))
            .sort()
        : [];
      const author = typeof manifest.author === 'string' ? manifest.author : manifest.author?.name;
      const source =
        typeof manifest.repository === 'string' ? manifest.repository : (manifest.repository?.url ?? manifest.homepage);
      return { name: manifest.name, version: manifest.version, license, author, source, dir: absolute, files };
    })
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/**
 * The text of THIRD-PARTY-NOTICES.txt for a bundle; `file` and `product` name the bundle's file and
 * the package it ships in (a handler bundle's index.js in cdk-concurrency-tracker by default).
 */
export function renderNotices(bundleName, packages, { file = 'index.js', product = 'cdk-concurrency-tracker' } = {}) {
  const rule = '-'.repeat(78);
  const lines = [
    `Third-party software in the ${bundleName} bundle (${file}) of ${product}.`,
    'The bundle contains code of the packages below, each under its own licence, reproduced here as the',
    "package ships it. The project's own code is under the Apache License 2.0 (LICENSE in the package).",
    '',
    ...packages.map((p) => `- ${p.name}@${p.version} (${p.license})`),
    '',
  ];
  for (const p of packages) {
    lines.push(rule, `${p.name}@${p.version}`, `Licence: ${p.license}`, '');
    if (p.files.length === 0) {
      // Nothing to reproduce: say what the package itself declares and where its source is.
      lines.push(`(${p.name} ships no licence file; its package.json declares ${p.license}.)`);
      if (p.author) lines.push(`Author: ${p.author}`);
      if (p.source) lines.push(`Source: ${p.source}`);
      lines.push('');
    }
    for (const file of p.files) {
      lines.push(`${file}:`, '', readFileSync(path.join(p.dir, file), 'utf8').trimEnd(), '');
    }
  }
  return `${lines.join('\n')}\n`;
}

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ts from 'typescript';

// Every ```ts block of the README, docs/construct.md and docs/operations.md type-checks against the
// package as a user imports it (`cdk-concurrency-tracker`, mapped to lib/index.ts). A block is a
// whole program unless the line before its fence is `<!-- snippet: fragment -->`: a fragment is
// checked after a prelude that supplies the names the docs' fragments take as given (`stack`,
// `tracker`, `ConcurrencyTracker`, ...), each one only when the fragment does not bind it itself.
// (The README's first example is also synthesized from the packed library: test/consumer.)

const ROOT = path.resolve(__dirname, '..', '..');
const DOCS = ['README.md', 'docs/construct.md', 'docs/operations.md'];
const FRAGMENT_MARKER = '<!-- snippet: fragment -->';

/** What a fragment may use without declaring it, by name. */
const PRELUDE: Record<string, string> = {
  ConcurrencyTracker: "import { ConcurrencyTracker } from 'cdk-concurrency-tracker';",
  ecs: "import * as ecs from 'aws-cdk-lib/aws-ecs';",
  iam: "import * as iam from 'aws-cdk-lib/aws-iam';",
  stack: "declare const stack: import('aws-cdk-lib').Stack;",
  tracker: "declare const tracker: import('cdk-concurrency-tracker').ConcurrencyTracker;",
  pool: "declare const pool: import('aws-cdk-lib/aws-cognito').IUserPool;",
  repo: "declare const repo: import('aws-cdk-lib/aws-ecr').IRepository;",
};

interface Snippet {
  /** `README.md:127`: the file and the line of the opening fence. */
  readonly where: string;
  readonly fragment: boolean;
  readonly code: string;
}

/** The ```ts blocks of a markdown text (fences may be indented, inside a list item; jsii-rosetta's `fixture=` is allowed). */
function tsBlocks(markdown: string, file: string): Snippet[] {
  const lines = markdown.split('\n');
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^(\s*)```ts(?: fixture=\w+)?\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^\s*```\s*$/.test(lines[j]!)) body.push(lines[j++]!.slice(indent));
    const previous =
      lines
        .slice(0, i)
        .reverse()
        .find((line) => line.trim() !== '') ?? '';
    snippets.push({ where: `${file}:${i + 1}`, fragment: previous.trim() === FRAGMENT_MARKER, code: body.join('\n') });
    i = j;
  }
  return snippets;
}

/** Names a snippet binds itself (imports and top-level declarations). */
function boundNames(code: string): Set<string> {
  const names = new Set<string>();
  for (const [, clause] of code.matchAll(/^import\s+(.+?)\s+from\s/gm)) {
    for (const name of clause!
      .replace(/[{}]/g, ' ')
      .replace(/\*\s+as\s+/g, ' ')
      .split(/[\s,]+/))
      if (name && name !== 'type') names.add(name.replace(/^.*\sas\s/, ''));
  }
  for (const [, name] of code.matchAll(/^(?:const|let|class|function)\s+([A-Za-z_$][\w$]*)/gm)) names.add(name!);
  return names;
}

/**
 * The module a snippet is checked as: a whole program as it is; a fragment's own imports first,
 * then the prelude names it lacks, then its lines (imports blanked, so lines keep their numbers).
 * `docLineOf` maps a line of the module back to a line of the block (undefined: the prelude).
 */
function moduleText(snippet: Snippet): { text: string; docLineOf: (line: number) => number | undefined } {
  if (!snippet.fragment) return { text: `${snippet.code}\nexport {};\n`, docLineOf: (line) => line };
  const bound = boundNames(snippet.code);
  const prelude = Object.entries(PRELUDE)
    .filter(([name]) => !bound.has(name))
    .map(([, line]) => line);
  const own = snippet.code.split('\n');
  const importAt = own.flatMap((line, i) => (/^import\s/.test(line) ? [i] : []));
  const rest = own.map((line) => (/^import\s/.test(line) ? '' : line));
  const offset = importAt.length + prelude.length;
  return {
    text: [...importAt.map((i) => own[i]!), ...prelude, ...rest, 'export {};', ''].join('\n'),
    docLineOf: (line) => (line < importAt.length ? importAt[line] : line < offset ? undefined : line - offset),
  };
}

/** Type-checks the snippets as one program; one message per error, naming the doc and line. */
function typeErrors(snippets: readonly Snippet[]): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'doc-snippets-'));
  try {
    const files = snippets.map((snippet, i) => {
      const file = path.join(dir, `snippet-${i}.ts`);
      const { text, docLineOf } = moduleText(snippet);
      fs.writeFileSync(file, text);
      return { file, snippet, docLineOf };
    });
    const program = ts.createProgram(
      files.map((f) => f.file),
      {
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.CommonJS,
        moduleResolution: ts.ModuleResolutionKind.Node10,
        esModuleInterop: true,
        types: ['node'],
        typeRoots: [path.join(ROOT, 'node_modules', '@types')],
        baseUrl: ROOT,
        // The package by its name, and everything else from the repository's node_modules.
        paths: { 'cdk-concurrency-tracker': ['lib/index.ts'], '*': ['node_modules/*', 'node_modules/@types/*'] },
      },
    );
    const byFile = new Map(files.map((f) => [path.resolve(f.file), f]));
    return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      const source = diagnostic.file ? byFile.get(path.resolve(diagnostic.file.fileName)) : undefined;
      if (!source || diagnostic.start === undefined) return `${diagnostic.file?.fileName ?? '(program)'}: ${message}`;
      const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start);
      const [doc, fence] = source.snippet.where.split(':');
      const inBlock = source.docLineOf(line);
      const docLine =
        inBlock === undefined ? `${source.snippet.where} (prelude)` : `${doc}:${Number(fence) + 1 + inBlock}`;
      return `${docLine}: ${message}${source.snippet.fragment ? '' : ` (a fragment? mark it with ${FRAGMENT_MARKER} on the line before the fence)`}`;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('TypeScript snippets of the README and the construct and operations docs', () => {
  const snippets = DOCS.flatMap((file) => tsBlocks(fs.readFileSync(path.join(ROOT, file), 'utf8'), file));
  // Two snippets that must fail, checked in the same program (one type-check of the package).
  const broken: Snippet[] = [
    {
      where: 'BROKEN.md:10',
      fragment: true,
      code: "new ConcurrencyTracker(stack, 'Tracker', {\n  defaultLimit: 'two',\n});",
    },
    { where: 'BROKEN.md:20', fragment: false, code: "new ConcurrencyTracker(stack, 'Tracker', {});" },
  ];
  let errors: string[];
  beforeAll(() => {
    errors = typeErrors([...snippets, ...broken]);
  });

  it('finds the blocks, whole programs and marked fragments', () => {
    expect(snippets.filter((s) => s.where.startsWith('README.md')).length).toBeGreaterThanOrEqual(3);
    expect(snippets.some((s) => !s.fragment)).toBe(true);
    expect(snippets.some((s) => s.fragment)).toBe(true);
  });

  it('type-check against the package', () => {
    expect(errors.filter((error) => !error.startsWith('BROKEN.md'))).toEqual([]);
  });

  it('would catch a snippet that no longer matches the package, at its line in the doc', () => {
    expect(errors.filter((error) => error.startsWith('BROKEN.md')).sort()).toEqual([
      expect.stringMatching(/^BROKEN\.md:12: Type 'string' is not assignable to type 'number'/),
      expect.stringMatching(
        /^BROKEN\.md:21: Cannot find name 'ConcurrencyTracker'.*mark it with <!-- snippet: fragment -->/,
      ),
      expect.stringMatching(/^BROKEN\.md:21: Cannot find name 'stack'/),
    ]);
  });
});

/**
 * The import-boundary check: each wing may import only what the table in STYLE.md allows, so the engine stays a
 * pure library, the renderer never reaches Node or Electron, and main never loads the engine in its own process.
 *
 * Usage: `tsx scripts/check-boundaries.ts [root]` prints each violation as `file:line: wing → target (specifier)`
 * and exits 1 when there is any. Test code (`*.test.ts`, `engine/test/**`) may also use vitest and Node built-ins.
 *
 * The engine host uses the engine as a library through its public face only: `engine/index.ts`, and for what only
 * Node has (this machine's backends) `engine/node/index.ts`, which the pure engine cannot carry. Any other file of
 * engine/ is an internal ('engine internals'), so the engine can move its files without breaking the host. Its tests
 * may reach inside, as the engine's own do, to build fakes (a flaky backend from the CPU kernels).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export type Wing =
  | 'engine' | 'engine-node' | 'common' | 'preload' | 'engine-host' | 'electron-main' | 'main-services' | 'renderer';

/** What an import points at: another wing, or a kind of package. */
type Target =
  | Wing | 'engine internals' | 'electron' | 'node' | 'svelte' | 'chart.js' | 'gpu.js' | 'ws' | 'vitest' | `package ${string}`;

/** The table from STYLE.md. A wing may always import itself. */
const ALLOWED: Record<Wing, readonly Target[]> = {
  engine: ['common', 'gpu.js'],
  'engine-node': ['engine', 'common', 'gpu.js', 'node'],
  common: [],
  preload: ['electron', 'common'],
  'engine-host': ['engine', 'engine-node', 'common', 'gpu.js', 'node'],
  'electron-main': ['electron', 'node', 'common', 'main-services', 'ws'],
  'main-services': ['node', 'common', 'ws'],
  renderer: ['common', 'svelte', 'chart.js'],
};
const ALLOWED_IN_TESTS: readonly Target[] = ['vitest', 'node'];

/** The engine's public entries: the only engine files the engine host's code may import. */
const ENGINE_PUBLIC = ['engine/index', 'engine/node/index'];

/** Wings that import the engine through its public entries only, outside their tests. */
const ENGINE_VIA_PUBLIC: readonly Wing[] = ['engine-host'];

export function wingOf(path: string): Wing | null {
  const p = path.split(sep).join('/');
  if (p.startsWith('engine/node/')) return 'engine-node';
  if (p.startsWith('engine/')) return 'engine';
  if (p.startsWith('common/')) return 'common';
  if (p.startsWith('src-main/preload/')) return 'preload';
  if (p.startsWith('src-main/engine-host/')) return 'engine-host';
  if (p.startsWith('src-main/electron/')) return 'electron-main';
  if (p.startsWith('src-main/')) return 'main-services';
  if (p.startsWith('src-renderer/')) return 'renderer';
  return null; // e2e/, scripts/, configs: tooling, not a wing
}

function isTestFile(path: string): boolean {
  const p = path.split(sep).join('/');
  return /\.test\.ts$/.test(p) || p.startsWith('engine/test/') || p.includes('/test-support/');
}

const NODE_BUILTINS = new Set(builtinModules);

function targetOf(specifier: string, fromFile: string, root: string, publicEngineOnly: boolean): Target | null {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const resolved = relative(root, resolve(root, dirname(fromFile), specifier));
    const wing = wingOf(resolved);
    if (publicEngineOnly && (wing === 'engine' || wing === 'engine-node')) {
      const module = resolved.split(sep).join('/').replace(/\.(ts|js|mjs)$/, '').replace(/\/$/, '');
      if (!ENGINE_PUBLIC.includes(module) && !ENGINE_PUBLIC.includes(`${module}/index`)) return 'engine internals';
    }
    return wing ?? null;
  }
  if (specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0])) return 'node';
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
  if (name === 'electron' || name === 'svelte' || name === 'chart.js' || name === 'gpu.js' || name === 'ws') return name;
  if (name === 'vitest') return 'vitest';
  return `package ${name}`;
}

export interface Violation {
  file: string;
  line: number;
  wing: Wing;
  target: Target;
  specifier: string;
}

/**
 * Every module specifier a file imports (static, type-only, re-exports, dynamic import() and require()), found by
 * TypeScript's own pre-processor so strings and comments never count. For .svelte files, pass the whole file: the
 * markup outside <script> holds no imports that the pre-processor would recognise.
 */
export function importsOf(source: string): { specifier: string; line: number }[] {
  const info = ts.preProcessFile(source, true, true);
  return info.importedFiles.map((ref) => ({
    specifier: ref.fileName,
    line: source.slice(0, ref.pos).split('\n').length,
  }));
}

function* sourceFiles(root: string, dir = ''): Generator<string> {
  for (const entry of readdirSync(join(root, dir))) {
    if (entry === 'node_modules' || entry === 'out' || entry.startsWith('.')) continue;
    const rel = join(dir, entry);
    if (statSync(join(root, rel)).isDirectory()) yield* sourceFiles(root, rel);
    else if (/\.(ts|mts|cts|js|mjs|svelte)$/.test(entry)) yield rel;
  }
}

export function checkBoundaries(root: string): Violation[] {
  const violations: Violation[] = [];
  for (const file of sourceFiles(root)) {
    const wing = wingOf(file);
    if (!wing) continue;
    const test = isTestFile(file);
    const allowed = test ? [...ALLOWED[wing], ...ALLOWED_IN_TESTS] : ALLOWED[wing];
    const publicEngineOnly = !test && ENGINE_VIA_PUBLIC.includes(wing);
    for (const { specifier, line } of importsOf(readFileSync(join(root, file), 'utf8'))) {
      const target = targetOf(specifier, file, root, publicEngineOnly);
      if (target === null || target === wing || allowed.includes(target)) continue;
      violations.push({ file, line, wing, target, specifier });
    }
  }
  return violations;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const violations = checkBoundaries(root);
  for (const v of violations) {
    const hint = v.target === 'engine internals' ? ` (import engine/index.ts, or engine/node/index.ts for Node's backends)` : '';
    console.error(`${v.file}:${v.line}: ${v.wing} may not import ${v.target} ('${v.specifier}')${hint}`);
  }
  console.log(violations.length === 0 ? 'import boundaries: ok' : `import boundaries: ${violations.length} violation(s)`);
  process.exit(violations.length === 0 ? 0 : 1);
}

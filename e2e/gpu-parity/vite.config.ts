/**
 * Builds the gpu-parity page (index.html + main.ts) for e2e/gpu-parity.spec.ts: the engine, gpu.js's browser
 * build, engine/test/*.test.ts with 'vitest' and the Node built-ins they touch swapped for small shims, and the
 * fixtures as fetched assets (listed by the virtual module below). `npx vite build --config e2e/gpu-parity/vite.config.ts --outDir <dir>`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/**
 * Vite turns `new URL(\`./fixtures/${file}\`, import.meta.url)` into a table of hashed asset URLs (and, with two
 * fixtures sharing a stem, mixes them up); engine/test keeps its own paths here instead, which node-shim serves.
 */
const keepFixturePaths = {
  name: 'keep-fixture-paths',
  enforce: 'pre' as const,
  transform(code: string, id: string) {
    if (!id.includes('/engine/test/')) return null;
    return code.replace(/new URL\((`\.\/fixtures\/[^`]*`), import\.meta\.url\)/g, "new URL($1, 'http://fixtures.invalid/')");
  },
};

/**
 * `virtual:gpu-parity-files`: a loader per engine/test/*.test.ts (sorted, as vitest and the Node parity files
 * import them) and every fixture's served URL, listed when the page is built.
 */
const parityFiles = {
  name: 'gpu-parity-files',
  resolveId: (id: string) => (id === 'virtual:gpu-parity-files' ? '\0gpu-parity-files' : null),
  load(id: string) {
    if (id !== '\0gpu-parity-files') return null;
    const testDir = here('../../engine/test/');
    const tests = readdirSync(testDir).filter((f) => f.endsWith('.test.ts')).sort();
    const fixtures = readdirSync(join(testDir, 'fixtures')).sort();
    return [
      ...fixtures.map((f, i) => `import fixture${i} from ${JSON.stringify(join(testDir, 'fixtures', f) + '?url')};`),
      `export const fixtureUrls = { ${fixtures.map((f, i) => `${JSON.stringify(f)}: fixture${i}`).join(', ')} };`,
      `export const testFiles = [${tests.map((f) => `() => import(${JSON.stringify(join(testDir, f))})`).join(', ')}];`,
    ].join('\n');
  },
};

export default defineConfig({
  plugins: [keepFixturePaths, parityFiles],
  root: here('.'),
  base: './',
  logLevel: 'warn',
  resolve: {
    alias: [
      { find: /^vitest$/, replacement: here('./vitest-shim.ts') },
      { find: /^node:(fs|url|zlib)$/, replacement: here('./node-shim.ts') },
    ],
  },
  build: {
    target: 'es2022',
    emptyOutDir: true,
    minify: false,
    chunkSizeWarningLimit: 1 << 14,
    assetsInlineLimit: 0,
  },
  // The WebGPU engine runs in a module worker that starts another (./engine-worker.ts, ./gpu-worker.ts).
  worker: { format: 'es', plugins: () => [keepFixturePaths, parityFiles] },
  server: { fs: { allow: [here('../..')] } },
});

/**
 * Builds with electron-vite when out/ is missing or older than any source it is built from, so `npm run web`,
 * `npm start` and the e2e tests always run the code in the working tree without a rebuild every time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const OUTPUTS = ['out/main/index.js', 'out/main/engine-host.js', 'out/main/web.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
const INPUTS = ['src-main', 'src-renderer', 'common', 'engine', 'electron.vite.config.ts', 'package.json'];

function newestInput(path) {
  if (!existsSync(path)) return 0;
  const info = statSync(path);
  if (!info.isDirectory()) return /\.test\.ts$/.test(path) ? 0 : info.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.') || entry === 'test' || entry === 'fixtures') continue;
    newest = Math.max(newest, newestInput(join(path, entry)));
  }
  return newest;
}

/** Why a build is needed, or null when out/ is up to date. */
export function staleReason() {
  const missing = OUTPUTS.find((p) => !existsSync(join(root, p)));
  if (missing) return `${missing} is missing`;
  const oldestOutput = Math.min(...OUTPUTS.map((p) => statSync(join(root, p)).mtimeMs));
  const newest = Math.max(...INPUTS.map((p) => newestInput(join(root, p))));
  return newest > oldestOutput ? 'sources changed since the last build' : null;
}

export function ensureBuild() {
  const reason = staleReason();
  if (!reason) return;
  console.log(`Building LayerLab (${reason})…`);
  const bin = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'electron-vite.cmd' : 'electron-vite');
  const result = spawnSync(bin, ['build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    throw new Error(`the build failed (electron-vite build exited with ${result.status ?? result.signal})`);
  }
}

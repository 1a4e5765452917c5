/**
 * `npm start` / `npm run dev`: launches the Electron app. Where the Electron binary is not installed (it could not be
 * downloaded, as in CI sandboxes), says so in one message and points to the browser host instead.
 * Note: require('electron') would try to download the binary when it is missing, so its files are checked first.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ensureBuild, root } from './ensure-build.mjs';

function electronBinary() {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pkg)) return { error: 'the electron package is not installed' };
  if (!process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    if (!existsSync(pathFile)) return { error: 'the Electron binary was never downloaded (node_modules/electron/path.txt is missing)' };
    const binary = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
    if (!existsSync(binary)) return { error: `the Electron binary is missing (${binary})` };
  }
  try {
    const path = createRequire(import.meta.url)('electron');
    return existsSync(path) ? { path } : { error: `the Electron binary is missing (${path})` };
  } catch (error) {
    return { error: String(error?.message ?? error).split('\n')[0] };
  }
}

const electron = electronBinary();
if (!electron.path) {
  console.error(`LayerLab cannot start the desktop app: ${electron.error}.\nRun \`npm run web\` instead to use LayerLab in your browser.`);
  process.exit(1);
}

const dev = process.argv.includes('--dev');
let child;
if (dev) {
  child = spawn(join(root, 'node_modules', '.bin', 'electron-vite'), ['dev'], { cwd: root, stdio: 'inherit' });
} else {
  try {
    ensureBuild();
  } catch (error) {
    console.error(`LayerLab: ${error.message}`);
    process.exit(1);
  }
  child = spawn(electron.path, ['.'], { cwd: root, stdio: 'inherit' });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

/**
 * `npm run web -- [--port N] [--host H] [--data-dir DIR]`: builds if out/ is missing or stale, then runs the
 * browser host (out/main/web.js), which prints the URL to open.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureBuild, root } from './ensure-build.mjs';

try {
  ensureBuild();
} catch (error) {
  console.error(`layerlab web: ${error.message}`);
  process.exit(1);
}

const child = spawn(process.execPath, [join(root, 'out/main/web.js'), ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

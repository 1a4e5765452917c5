/**
 * `node out/main/web.js [--port N] [--host H] [--data-dir DIR] [--renderer-dir DIR]`: the browser host.
 * Prints the URL to open, with this start's token: `LayerLab is running at http://127.0.0.1:5177/?token=…`.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { keepServing } from '../../common/crash-guard';
import { defaultDataDir } from '../services/data-dir';
import { startWebHost } from './server';

const DEFAULT_PORT = 5177;
const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      'renderer-dir': { type: 'string' },
      // For development and tests: run another engine host build, e.g. the .ts source (then through tsx).
      'engine-host': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log('Usage: npm run web -- [--port N (default 5177, 0 = any free port)] [--host 127.0.0.1] [--data-dir DIR]');
    return;
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0..65535, got ${values.port}`);
  const options = {
    port,
    host: values.host,
    dataDir: resolve(values['data-dir'] ?? defaultDataDir()),
    rendererDir: resolve(values['renderer-dir'] ?? resolve(here, '../renderer')),
    engineHostPath: resolve(values['engine-host'] ?? resolve(here, 'engine-host.js')),
    engineExecArgv: values['engine-host']?.endsWith('.ts') ? ['--import', 'tsx'] : [],
  };

  let host;
  try {
    host = await startWebHost(options);
  } catch (error) {
    // The default port is a convenience; when something else holds it, take any free one rather than fail.
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && values.port === undefined) {
      console.log(`Port ${DEFAULT_PORT} is busy; using a free port instead.`);
      host = await startWebHost({ ...options, port: 0 });
    } else throw error;
  }
  // From here on an exception that escapes is logged, not fatal: nothing supervises this process, and every open
  // tab (and the engine host, which exits with its parent) would go with it.
  keepServing(process, 'layerlab web', console.error);
  console.log(`LayerLab is running at ${host.url}`);
  console.log(`Data folder: ${options.dataDir}`);
  console.log('Open the URL in a browser (it includes this session\'s access token). Press Ctrl+C to stop.');

  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    host.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException).code;
  if (error instanceof UsageError || error instanceof TypeError || code === 'EADDRINUSE' || code === 'ENOENT') {
    console.error(`layerlab web: ${message}`);
  } else {
    console.error('layerlab web: could not start:', error);
  }
  process.exit(1);
});

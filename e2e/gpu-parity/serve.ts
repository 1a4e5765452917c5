/**
 * Builds the gpu-parity page into a temporary folder and serves it from 127.0.0.1 (a secure context, so
 * navigator.gpu may appear) with COOP/COEP, so SharedArrayBuffer (gpu.js's webasm threads) is allowed too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm',
};

export interface PageServer {
  url: string;
  close(): Promise<void>;
}

export function buildPage(): string {
  const outDir = mkdtempSync(join(tmpdir(), 'layerlab-gpu-parity-'));
  const vite = join(ROOT, 'node_modules', '.bin', 'vite');
  const built = spawnSync(vite, ['build', '--config', 'e2e/gpu-parity/vite.config.ts', '--outDir', outDir], { cwd: ROOT, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`vite build of the gpu-parity page failed:\n${built.stdout}\n${built.stderr}`);
  return outDir;
}

export async function servePage(dir: string): Promise<PageServer> {
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path === '/' ? 'index.html' : path);
    try {
      const body = readFileSync(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(dir, { recursive: true, force: true });
      }),
  };
}

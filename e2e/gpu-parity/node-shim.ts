/**
 * The few Node built-ins engine/test/*.test.ts touch, for the browser page: the fixture files are fetched before any
 * test file loads (`preloadFixtures`) and served by basename; anything else "does not exist" (so the MNIST
 * logistic-regression test, which needs the real dataset, skips as it does without the data in Node).
 * The page's vite config aliases node:fs, node:url and node:zlib to this file.
 */
const files = new Map<string, Uint8Array>();

const basename = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

/** Fetches every fixture (url by file name) so readFileSync can answer synchronously. */
export async function preloadFixtures(urls: Record<string, string>): Promise<void> {
  await Promise.all(
    Object.entries(urls).map(async ([path, url]) => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`fixture ${path}: HTTP ${response.status}`);
      files.set(basename(path), new Uint8Array(await response.arrayBuffer()));
    }),
  );
}

function lookup(path: string): Uint8Array | undefined {
  return path.includes('/fixtures/') ? files.get(basename(path)) : undefined;
}

export function existsSync(path: string): boolean {
  return lookup(String(path)) !== undefined;
}

export function readFileSync(path: string, encoding?: string): Uint8Array | string {
  const bytes = lookup(String(path));
  if (!bytes) throw new Error(`ENOENT: ${path} (only fixtures are served in the browser)`);
  return encoding ? new TextDecoder().decode(bytes) : bytes;
}

export function readdirSync(): string[] {
  return [];
}

export function fileURLToPath(url: string | URL): string {
  return new URL(String(url)).pathname;
}

export function gunzipSync(): never {
  throw new Error('gunzipSync is not available in the browser page');
}

export default { existsSync, readFileSync, readdirSync, fileURLToPath, gunzipSync };

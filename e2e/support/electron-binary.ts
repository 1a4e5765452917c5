/**
 * Whether the Electron binary exists. require('electron') would try to download it when missing, so its files are
 * checked first (the same rule as scripts/start.mjs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function findElectron(root: string): { path: string } | { missing: string } {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return { missing: 'the Electron binary is not installed here (node_modules/electron/path.txt is missing)' };
  const binary = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { path: binary } : { missing: `the Electron binary is missing (${binary})` };
}

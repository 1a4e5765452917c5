/** Where LayerLab keeps downloaded datasets and checkpoints by default: the OS cache folder. */
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'LayerLab', 'Cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'LayerLab');
  return join(env.XDG_CACHE_HOME || join(home, '.cache'), 'layerlab');
}

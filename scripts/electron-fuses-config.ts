/**
 * Electron's fuses for a packaged LayerLab: switches compiled into the Electron binary that no argument, variable or
 * script can turn back on (https://www.electronjs.org/docs/latest/tutorial/fuses): build config, not main-process code. The packaging step flips them in
 * the app's own copy of the binary (`npm run fuses -- PATH`, ./electron-fuses.ts); `npm start` runs the
 * unpacked app on node_modules' Electron, which keeps its defaults (it loads the app from a folder, not an ASAR).
 *
 * Each setting is the Electron security checklist's advice for an app that never needs to be Node:
 *   - RunAsNode off: `ELECTRON_RUN_AS_NODE=1 LayerLab evil.js` would run any script with the app's signature;
 *   - NODE_OPTIONS and --inspect off: no injecting code or a debugger into a shipped app from outside;
 *   - cookies encrypted at rest with the OS keychain;
 *   - the app only from its ASAR, and that ASAR checked against the hash in the binary, so the code that ships is
 *     the code that runs;
 *   - file:// gets no extra privileges: the renderer is served from app:// (src-main/electron/app-protocol.ts).
 */
import { FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire, type FuseV1Config } from '@electron/fuses';

/** How the wire stores a fuse: the characters '1', '0' and 'r' (the library keeps this enum to itself). */
const WIRE = { 0x31: 'on', 0x30: 'off', 0x72: 'removed' } as Record<number, string>;

export const LAYERLAB_FUSES = {
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
} satisfies FuseV1Config;

/** Each fuse this config sets, by name, and whether it ends up on. */
export function fuseSettings(): Array<{ fuse: string; on: boolean }> {
  return Object.entries(LAYERLAB_FUSES)
    .filter(([key]) => key !== 'version')
    .map(([key, on]) => ({ fuse: FuseV1Options[Number(key)], on: on as boolean }));
}

/**
 * Flips LayerLab's fuses in an Electron binary (a macOS .app bundle or the executable), then reads them back: a
 * binary whose wire does not hold every one of them is an error, never a half-fused app. Fuses this version of
 * @electron/fuses does not know (newer Electrons add some) keep Electron's defaults and are listed.
 */
export async function applyFuses(pathToElectron: string): Promise<{ set: Array<{ fuse: string; on: boolean }>; untouched: number[] }> {
  await flipFuses(pathToElectron, { ...LAYERLAB_FUSES, strictlyRequireAllFuses: false });
  const wire = (await getCurrentFuseWire(pathToElectron)) as unknown as Record<string, number>;
  const set = fuseSettings();
  for (const { fuse, on } of set) {
    const state = wire[FuseV1Options[fuse as keyof typeof FuseV1Options]];
    const reads = state === undefined ? 'missing' : (WIRE[state] ?? `byte ${state}`);
    if (reads !== (on ? 'on' : 'off')) throw new Error(`the fuse ${fuse} of ${pathToElectron} reads ${reads} after flipping, not ${on ? 'on' : 'off'}`);
  }
  const known = new Set(Object.keys(LAYERLAB_FUSES).filter((key) => key !== 'version').map(Number));
  const untouched = Object.keys(wire).filter((key) => key !== 'version' && !known.has(Number(key))).map(Number);
  return { set, untouched };
}

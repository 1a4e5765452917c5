/**
 * `npm run fuses -- PATH`: flips LayerLab's Electron fuses (./electron-fuses-config.ts) in a packaged app's
 * Electron binary (the executable, or the macOS .app), then reads them back and prints each. Run it on the copy the
 * package ships, after the app's ASAR is in place and before signing; never on node_modules' Electron, which
 * `npm start` runs unpacked (OnlyLoadAppFromAsar would stop it).
 */
import { applyFuses } from './electron-fuses-config';

const [target] = process.argv.slice(2);
if (!target) {
  console.error('usage: npm run fuses -- PATH_TO_PACKAGED_ELECTRON (the executable, or the .app bundle)');
  process.exit(2);
}
try {
  const { set, untouched } = await applyFuses(target);
  for (const { fuse, on } of set) console.log(`${fuse.padEnd(40)} ${on ? 'on' : 'off'}`);
  if (untouched.length > 0) console.log(`fuses ${untouched.join(', ')} are newer than @electron/fuses knows: they keep Electron's defaults`);
} catch (error) {
  console.error(`fuses not applied: ${(error as Error).message}`);
  process.exit(1);
}

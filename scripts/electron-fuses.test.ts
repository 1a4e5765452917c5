import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyFuses, fuseSettings } from './electron-fuses-config';

/** Where Electron keeps its fuse wire: this sentinel, the wire's version (1), its length, then one byte per fuse. */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

/** A stand-in binary: filler, the sentinel, a wire as Electron 45 ships it (9 fuses), filler. */
function fakeElectron(wire = '101101001'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'layerlab-fuses-')), 'electron');
  const body = Buffer.concat([Buffer.alloc(4096, 7), Buffer.from(SENTINEL), Buffer.from([1, wire.length]), Buffer.from(wire), Buffer.alloc(4096, 9)]);
  writeFileSync(path, body);
  return path;
}

function wireOf(path: string): string {
  const bytes = readFileSync(path);
  const at = bytes.indexOf(SENTINEL) + SENTINEL.length;
  return bytes.subarray(at + 2, at + 2 + bytes[at + 1]).toString('latin1');
}

describe('Electron fuses (#17.8)', () => {
  it('turns off running as Node, NODE_OPTIONS, --inspect and file:// privileges; turns on cookie encryption and the checked ASAR', () => {
    expect(Object.fromEntries(fuseSettings().map(({ fuse, on }) => [fuse, on]))).toEqual({
      RunAsNode: false,
      EnableCookieEncryption: true,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      GrantFileProtocolExtraPrivileges: false,
    });
  });

  it('writes them into the binary\'s wire and leaves the fuses it does not know, and every other byte, alone', async () => {
    const path = fakeElectron('101101001');
    const before = readFileSync(path);
    const { set, untouched } = await applyFuses(path);
    // By index: RunAsNode, cookies, NODE_OPTIONS, inspect, ASAR integrity, ASAR only, V8 snapshot (kept), file://,
    // and a ninth fuse newer than the library (kept).
    expect(wireOf(path)).toBe('010011001');
    expect(set).toHaveLength(7);
    expect(untouched).toEqual([6, 8]);
    const after = readFileSync(path);
    expect(after.length).toBe(before.length);
    const at = before.indexOf(SENTINEL) + SENTINEL.length + 2;
    expect(Buffer.concat([after.subarray(0, at), after.subarray(at + 9)])).toEqual(Buffer.concat([before.subarray(0, at), before.subarray(at + 9)]));
  });

  it('refuses a binary without a fuse wire, or whose wire is too short to hold them, rather than ship it half-fused', async () => {
    const none = join(mkdtempSync(join(tmpdir(), 'layerlab-fuses-')), 'electron');
    writeFileSync(none, Buffer.alloc(1024, 1));
    await expect(applyFuses(none)).rejects.toThrow(/Could not find sentinel/);
    await expect(applyFuses(fakeElectron('1011'))).rejects.toThrow(/not long enough/);
  });

  // Where electron's install script put the binary (its path.txt); require('electron') would try to download it.
  const electronBinary = (() => {
    try {
      const dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
      return join(dir, 'dist', readFileSync(join(dir, 'path.txt'), 'utf8').trim());
    } catch {
      return null;
    }
  })();
  const why = electronBinary && existsSync(electronBinary) ? null : "Electron's binary is not installed here (it cannot be downloaded on this machine)";
  if (why) console.log(`skipped: flipping the fuses of a real Electron binary: ${why}`);
  it.skipIf(why !== null)(`flips a copy of the real Electron binary, which then refuses ELECTRON_RUN_AS_NODE${why ? ` (skipped: ${why})` : ''}`, async () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'layerlab-fuses-')), 'electron');
    copyFileSync(electronBinary!, copy);
    await applyFuses(copy);
    expect(wireOf(copy).slice(0, 6)).toBe('010011');
    // With RunAsNode off, the variable is ignored: Electron starts as itself, not as Node evaluating the script.
    const out = (() => {
      try {
        return execFileSync(copy, ['-e', 'console.log("ran as node")'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 10_000, encoding: 'utf8' });
      } catch (error) {
        return String((error as { stdout?: string }).stdout ?? '');
      }
    })();
    expect(out).not.toContain('ran as node');
  });
});

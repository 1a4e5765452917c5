/** RunStore's clean-up of what a killed engine host left half-written (#17.6). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStore } from './run-store';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'layerlab-store-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('RunStore.removeStaleTemps', () => {
  it("removes a dead process's temp files from run folders and keeps a live one's and everything else", async () => {
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!; // exited: its pid names no process now
    const run = join(dir, '20261204-220000-abcd');
    mkdirSync(join(run, 'epochs'), { recursive: true });
    const stale = [join(run, `weights.safetensors.${deadPid}.tmp`), join(run, 'epochs', `epoch-003.safetensors.${deadPid}.tmp`)];
    const kept = [
      join(run, 'weights.safetensors'), join(run, 'run.json'), join(run, `run.json.${process.ppid}.tmp`), join(run, `history.json.${process.pid}.tmp`),
      join(dir, `not-a-run.${deadPid}.tmp`),
    ];
    for (const file of [...stale, ...kept]) writeFileSync(file, 'x');
    expect((await new RunStore(dir).removeStaleTemps()).sort()).toEqual([...stale].sort());
    for (const file of stale) expect(existsSync(file), file).toBe(false);
    for (const file of kept) expect(existsSync(file), file).toBe(true);
  });

  it('has nothing to do in a runs folder that does not exist yet', async () => {
    expect(await new RunStore(join(dir, 'missing')).removeStaleTemps()).toEqual([]);
  });
});

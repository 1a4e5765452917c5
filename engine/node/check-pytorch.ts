/**
 * Runs toPyTorch's script for every preset under real PyTorch (not part of the unit tests: CI has no PyTorch).
 *   npx tsx engine/node/check-pytorch.ts [--python /usr/bin/python3] [--data ../shared/data/mnist] [--limit 2000]
 * Prints each script's last line (test accuracy) and exits non-zero if any script fails.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRESETS, toPyTorch } from '../../common/spec/index';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const python = arg('--python', '/usr/bin/python3');
const data = arg('--data', '../shared/data/mnist');
const limit = arg('--limit', '2000');
const dir = mkdtempSync(join(tmpdir(), 'layerlab-pytorch-'));
let failed = 0;
for (const [name, spec] of Object.entries(PRESETS)) {
  const file = join(dir, `${name.replace(/\W/g, '_')}.py`);
  writeFileSync(file, toPyTorch(spec));
  try {
    const out = execFileSync(python, [file, '--data', data, '--epochs', '1', '--limit', limit], { encoding: 'utf8' });
    console.log(`${name}: ${out.trim().split('\n').pop()}`);
  } catch (err) {
    failed++;
    console.error(`${name}: FAILED (${file})\n${(err as { stderr?: string }).stderr ?? err}`);
  }
}
process.exit(failed ? 1 : 0);

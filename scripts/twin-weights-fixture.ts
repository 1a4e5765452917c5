/**
 * Regenerates common/model-spec/fixtures/twin-weights.json: for every preset, a checkpoint file exactly as a run writes it
 * and the twin downloaded beside it (`toPyTorch(spec, { init })`), run under a real PyTorch with `--epochs 0`: the twin
 * loads the file with its own load_state_dict and evaluates it on a synthetic test set. The fixture keeps the file's
 * digest and the twin's test loss (in full, from --log-batches) and accuracy (null for the Autoencoder's image target),
 * so twin-weights.test.ts checks without PyTorch that the file the app writes today is the one PyTorch loaded, and
 * that the engine's numbers with it are the twin's.
 *
 *   npx tsx scripts/twin-weights-fixture.ts [--python /usr/bin/python3]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeIdx } from '../common/idx';
import { PRESET_NAMES } from '../common/model-spec/presets';
import { toPyTorch } from '../common/model-spec/pytorch';
import { twinWeightsCase } from '../engine/model-spec/twin-weights';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'common/model-spec/fixtures/twin-weights.json');
const at = process.argv.indexOf('--python');
const python = at >= 0 ? process.argv[at + 1] : '/usr/bin/python3';

const dir = mkdtempSync(join(tmpdir(), 'twin-weights-'));
try {
  const cases = [];
  for (const preset of PRESET_NAMES) {
    const c = twinWeightsCase(preset);
    const folder = join(dir, preset);
    mkdirSync(join(folder, 'data'), { recursive: true });
    const write = (file: string, bytes: Uint8Array) => writeFileSync(join(folder, 'data', file), gzipSync(bytes));
    // The twin loads a training file too; with --val-size 0 --epochs 0 it is never trained on.
    write('train-images-idx3-ubyte.gz', writeIdx({ shape: [c.labels.length, 28, 28], data: c.images }));
    write('train-labels-idx1-ubyte.gz', writeIdx({ shape: [c.labels.length], data: c.labels }));
    write('t10k-images-idx3-ubyte.gz', writeIdx({ shape: [c.labels.length, 28, 28], data: c.images }));
    write('t10k-labels-idx1-ubyte.gz', writeIdx({ shape: [c.labels.length], data: c.labels }));
    const weightsFile = `${preset}-last.safetensors`;
    writeFileSync(join(folder, weightsFile), c.weights);
    writeFileSync(join(folder, 'twin.py'), toPyTorch(c.spec, { init: weightsFile }));
    // As a learner runs it: in the folder the two files were saved to, --init left at its default. --log-batches
    // prints the test loss in full ({"testLoss", "testAcc"}, testAcc null for an image target such as the Autoencoder).
    const result = spawnSync(python, ['twin.py', '--data', 'data', '--epochs', '0', '--val-size', '0', '--log-batches'], { cwd: folder, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${preset}: the twin failed:\n${result.stderr}`);
    const line = result.stdout.split('\n').find((l) => l.startsWith('{"testLoss"'));
    if (!line) throw new Error(`${preset}: no testLoss in the twin's output:\n${result.stdout}`);
    const { testLoss, testAcc } = JSON.parse(line) as { testLoss: number; testAcc: number | null };
    const twin = { loss: testLoss, accuracy: testAcc };
    if (Math.abs(twin.loss - c.loss) > 1e-5 * (1 + twin.loss) || twin.accuracy !== c.accuracy) {
      throw new Error(`${preset}: the twin says loss ${twin.loss} acc ${twin.accuracy}, the engine ${c.loss} ${c.accuracy}`);
    }
    cases.push({ preset, weightsSha256: createHash('sha256').update(c.weights).digest('hex'), twinTestLoss: twin.loss, twinTestAccuracy: twin.accuracy });
    console.log(`${preset}: twin test loss ${twin.loss} acc ${twin.accuracy}; engine ${c.loss} ${c.accuracy}`);
  }
  const version = spawnSync(python, ['-c', 'import sys, torch; print(sys.version.split()[0], torch.__version__)'], { encoding: 'utf8' }).stdout.trim();
  const fixture = { generatedBy: 'scripts/twin-weights-fixture.ts', python: `Python ${version.replace(' ', ', PyTorch ')}`, cases };
  writeFileSync(OUT, `${JSON.stringify(fixture, null, 1)}\n`);
  console.log(`wrote ${OUT} (${fixture.python})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

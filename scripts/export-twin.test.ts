/** `npm run export` (scripts/export-twin.ts): the twin of a preset, a spec or project file, a weights file or a run. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_RUN, makeProject } from '../common/project';
import { getPreset, toPyTorch } from '../common/model-spec/index';
import type { RunMeta } from '../common/training-protocol';
import { twinForRun } from '../common/twin-file';
import { runExport } from './export-twin';

const dir = mkdtempSync(join(tmpdir(), 'layerlab-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function exportTwin(...argv: string[]) {
  const out: string[] = [], err: string[] = [];
  const code = runExport(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}
const read = (file: string) => readFileSync(file, 'utf8');
const initDefault = (script: string) => /parser\.add_argument\("--init", default=('[^']*')/.exec(script)?.[1];

describe('npm run export', () => {
  it('--preset writes the preset with a new project\'s run settings', () => {
    const out = join(dir, 'lenet.py');
    expect(exportTwin('--preset', 'LeNet-5', '--out', out)).toEqual({ code: 0, out: [`wrote ${out} (LeNet-5)`], err: [] });
    const script = read(out);
    expect(script).toBe(toPyTorch(getPreset('LeNet-5')!, DEFAULT_RUN));
    expect(script).toContain('    nn.Conv2d(1, 6, 5, padding=2),  # conv1');
    expect(script).toContain('parser.add_argument("--epochs", type=int, default=2)');
  });

  it('--spec takes a spec, or a saved project whose run settings become the defaults', () => {
    const spec = getPreset('MLP')!;
    const specFile = join(dir, 'mlp.json');
    writeFileSync(specFile, JSON.stringify(spec));
    expect(exportTwin('--spec', specFile, '--out', join(dir, 'mlp.py')).code).toBe(0);
    expect(read(join(dir, 'mlp.py'))).toBe(toPyTorch(spec, DEFAULT_RUN));

    const run = { epochs: 5, seed: 9, earlyStopping: { patience: 3, minDelta: 0.01 }, clipGradNorm: 2 };
    const project = join(dir, 'mlp.layerlab.json');
    writeFileSync(project, JSON.stringify(makeProject(spec, run)));
    expect(exportTwin('--spec', project, '--out', join(dir, 'project.py')).code).toBe(0);
    const script = read(join(dir, 'project.py'));
    expect(script).toBe(toPyTorch(spec, run));
    expect(script).toContain('parser.add_argument("--epochs", type=int, default=5)');
    expect(script).toContain('parser.add_argument("--seed", type=int, default=9,');
    expect(script).toContain('PATIENCE = 3\nMIN_DELTA = 0.01\nMAX_NORM = 2.0');
  });

  it('--weights FILE: the twin\'s --init defaults to it, as a path from the script\'s folder', () => {
    const weights = join(dir, 'w.safetensors');
    writeFileSync(weights, 'not read, only named');
    const out = join(dir, 'nested/deeper/mlp.py');
    const r = exportTwin('--preset', 'MLP', '--weights', weights, '--out', out);
    expect(r).toMatchObject({ code: 0, err: [] });
    expect(initDefault(read(out))).toBe("'../../w.safetensors'");
    exportTwin('--preset', 'MLP', '--weights', weights, '--out', join(dir, 'beside.py'));
    expect(read(join(dir, 'beside.py'))).toBe(toPyTorch(getPreset('MLP')!, { init: 'w.safetensors' }));
  });

  it('--weights RUN_DIR: the run\'s checkpoint beside the script under the download\'s name, and the download\'s twin', () => {
    const spec = getPreset('Mnist_CNN')!;
    const runDir = join(dir, 'runs/mnist-cnn-1');
    mkdirSync(runDir, { recursive: true });
    const meta = {
      id: 'mnist-cnn-1', name: 'Mnist_CNN 2026-12-04 21:57', model: 'Mnist_CNN', epochsDone: 3,
      options: { epochs: 4, seed: 11, earlyStopping: null, clipGradNorm: 0.5 },
    } as unknown as RunMeta;
    writeFileSync(join(runDir, 'run.json'), JSON.stringify(meta));
    writeFileSync(join(runDir, 'spec.json'), JSON.stringify(spec));
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => i % 251);
    writeFileSync(join(runDir, 'weights.safetensors'), bytes);
    const out = join(dir, 'from-run/twin.py');
    const r = exportTwin('--weights', runDir, '--out', out);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    const name = 'Mnist_CNN-2026-12-04-21-57-last.safetensors';
    expect(new Uint8Array(readFileSync(join(dir, 'from-run', name)))).toEqual(bytes);
    const script = read(out);
    expect(script).toBe(twinForRun(spec, meta, name).code);
    expect(initDefault(script)).toBe(`'${name}'`);
    expect(script).toContain('parser.add_argument("--seed", type=int, default=11,');
    expect(script).toContain('MAX_NORM = 0.5');

    rmSync(join(runDir, 'weights.safetensors'));
    expect(exportTwin('--weights', runDir, '--out', out).err).toEqual(['export: --weights ' + runDir + ': the run "Mnist_CNN 2026-12-04 21:57" has no checkpoint of its latest weights yet']);
  });

  it('says what is wrong with the command or the files', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "version": 1, ');
    const broken = getPreset('MLP')!;
    broken.nodes[2].params.inFeatures = 0;
    writeFileSync(join(dir, 'invalid.json'), JSON.stringify(broken));
    const cases: [string[], number, RegExp][] = [
      [[], 2, /^export: give --preset NAME or --spec FILE/],
      [['--preset', 'MLP'], 2, /^export: give --out FILE/],
      [['--preset', 'MLP', '--spec', 'a.json', '--out', 'x.py'], 2, /not both/],
      [['--preset', 'VGG', '--out', join(dir, 'x.py')], 2, /^export: unknown preset 'VGG' \(presets: Mnist_Logistic, MLP/],
      [['--preset', 'MLP', '--out'], 2, /--out needs a value/],
      [['--preset', 'MLP', '--out', 'x.py', '--epochs', '3'], 2, /unknown flag --epochs/],
      [['--spec', bad, '--out', join(dir, 'x.py')], 1, /bad\.json: not valid JSON/],
      [['--spec', join(dir, 'invalid.json'), '--out', join(dir, 'x.py')], 1, /in_features must be an integer ≥ 1, got 0/],
      [['--preset', 'MLP', '--weights', join(dir, 'nope.safetensors'), '--out', join(dir, 'x.py')], 1, /nope\.safetensors: no such file/],
    ];
    for (const [argv, code, message] of cases) {
      const r = exportTwin(...argv);
      expect([r.code, r.err.join('\n')], argv.join(' ')).toEqual([code, expect.stringMatching(message)]);
    }
    expect(exportTwin('--help').out[0]).toMatch(/^Usage: npm run export -- \(--preset NAME \| --spec FILE\) --out twin\.py/);
  });
});

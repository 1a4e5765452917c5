/**
 * Regenerates common/model-spec/fixtures/torch-options.json: every keyword argument PyTorch's constructor takes for
 * each catalogue row's `torch` (nn.Conv2d, optim.Adam, optim.lr_scheduler.OneCycleLR, …), read with
 * inspect.signature under a real PyTorch, so torch-options.test.ts can check without PyTorch that each torch option is
 * either on the row or refused by name (never left out of the engine or the twin without a word).
 *
 *   npx tsx scripts/torch-options-fixture.ts [--python /usr/bin/python3]
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LOSS_CATALOGUE, OP_CATALOGUE, OPTIMIZER_CATALOGUE, SCHEDULER_CATALOGUE } from '../common/model-spec/catalogue';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'common/model-spec/fixtures/torch-options.json');
const at = process.argv.indexOf('--python');
const python = at >= 0 ? process.argv[at + 1] : '/usr/bin/python3';

// The rows that name a torch class (not the Input, nor the merges' `+` and torch.cat).
const classes = [OP_CATALOGUE, LOSS_CATALOGUE, OPTIMIZER_CATALOGUE, SCHEDULER_CATALOGUE]
  .flatMap((catalogue) => Object.values(catalogue).map((row) => row.torch))
  .filter((torch) => /^(nn|optim)\.[\w.]+$/.test(torch));

// nn.RNN, nn.LSTM and nn.GRU take *args, **kwargs: their options are RNNBase's, less the mode and plus LSTM's proj_size.
const script = `
import inspect, json, sys, torch
from torch import nn, optim
out = {}
for name in json.loads(sys.argv[1]):
    cls = eval(name)
    if cls in (nn.RNN, nn.LSTM, nn.GRU):
        params = [p for p in inspect.signature(nn.RNNBase.__init__).parameters if p not in ("self", "mode")]
        params = [p for p in params if (p != "nonlinearity" or cls is nn.RNN) and (p != "proj_size" or cls is nn.LSTM)]
        if cls is nn.RNN: params.insert(3, "nonlinearity")
    else:
        params = [p for p in inspect.signature(cls.__init__).parameters if p not in ("self", "args", "kwargs")]
    out[name] = params
print(json.dumps({"python": "Python %s, PyTorch %s" % (sys.version.split()[0], torch.__version__), "options": out}))
`;
const result = spawnSync(python, ['-c', script, JSON.stringify(classes)], { encoding: 'utf8' });
if (result.status !== 0) throw new Error(`${python} failed:\n${result.stderr}`);
const fixture = { generatedBy: 'scripts/torch-options-fixture.ts', ...JSON.parse(result.stdout) };
// One class a line, so that a change of torch or of the rows reads as a one-line diff.
const lines = Object.entries(fixture.options as Record<string, string[]>).map(([name, options]) => `  ${JSON.stringify(name)}: ${JSON.stringify(options)}`);
writeFileSync(OUT, `{\n "generatedBy": ${JSON.stringify(fixture.generatedBy)},\n "python": ${JSON.stringify(fixture.python)},\n "options": {\n${lines.join(',\n')}\n }\n}\n`);
console.log(`wrote ${OUT}: ${classes.length} classes (${fixture.python})`);

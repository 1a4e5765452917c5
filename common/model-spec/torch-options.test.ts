/**
 * Every option PyTorch 1.13's constructor takes for a catalogue row (fixtures/torch-options.json, read under a real
 * PyTorch by scripts/torch-options-fixture.ts) is either on the row, under its torch name, or refused by name: by the
 * validator (so Train waits, saying which) and by the twin (toPyTorch), never dropped on the way. NOT_OFFERED is the
 * ledger of what is refused, with why; a new torch option, or a row that starts offering one, changes it here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LOSS_CATALOGUE, OP_CATALOGUE, OPTIMIZER_CATALOGUE, SCHEDULER_CATALOGUE, type TypedInfo } from './catalogue';
import { getPreset } from './presets';
import { toPyTorch } from './pytorch';
import type { ModelSpec, Params } from './types';
import { validateSpec } from './validate';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/torch-options.json', import.meta.url), 'utf8')) as {
  python: string; options: Record<string, string[]>;
};

/** LayerLab's own options, which torch's class does not take: the twin handles them itself (recurrentClass). */
const LAYERLAB_ONLY: Record<string, string[]> = { 'nn.RNN': ['output'], 'nn.LSTM': ['output'], 'nn.GRU': ['output'] };

// What every row leaves to torch: device and dtype (the engine computes in float32 where it runs).
const PLACEMENT = ['device', 'dtype'];
// In-place activations save memory and change no number.
const INPLACE = ['inplace'];
// Optimizers: params is the model's (the twin passes model.parameters()); foreach, capturable, differentiable and fused
// choose torch's kernels; maximize (gradient ascent) is not offered. Schedulers offer all they take but these:
// Schedulers: the optimizer is the run's; last_epoch resumes (the app resumes from its own checkpoint); verbose prints.
const SCHEDULER = ['optimizer', 'last_epoch', 'verbose'];
// Losses: the deprecated size_average and reduce (reduction says it).
const DEPRECATED = ['size_average', 'reduce'];

const NOT_OFFERED: Record<string, string[]> = {
  'nn.Linear': PLACEMENT,
  'nn.Conv2d': PLACEMENT,
  // Pools: dilation and ceil_mode change the output size, return_indices its type (for MaxUnpool2d).
  'nn.MaxPool2d': ['dilation', 'return_indices', 'ceil_mode'],
  'nn.AvgPool2d': ['ceil_mode', 'count_include_pad', 'divisor_override'],
  'nn.Dropout': INPLACE,
  // BatchNorm always tracks running statistics (evaluation uses them).
  'nn.BatchNorm1d': ['track_running_stats', ...PLACEMENT],
  'nn.BatchNorm2d': ['track_running_stats', ...PLACEMENT],
  // Recurrent layers: one direction, no dropout between layers, no LSTM projection.
  'nn.RNN': ['dropout', 'bidirectional', ...PLACEMENT],
  'nn.LSTM': ['dropout', 'bidirectional', 'proj_size', ...PLACEMENT],
  'nn.GRU': ['dropout', 'bidirectional', ...PLACEMENT],
  'nn.ReLU': INPLACE, 'nn.LeakyReLU': INPLACE, 'nn.ELU': INPLACE, 'nn.SiLU': INPLACE,
  'nn.ReLU6': INPLACE, 'nn.Hardswish': INPLACE, 'nn.Hardsigmoid': INPLACE, 'nn.Mish': INPLACE,
  'nn.SELU': INPLACE, 'nn.CELU': INPLACE, 'nn.Dropout2d': INPLACE,
  // Hardtanh's min_value and max_value are torch's deprecated spellings of min_val and max_val.
  'nn.Hardtanh': ['inplace', 'min_value', 'max_value'],
  'nn.PReLU': PLACEMENT, 'nn.LayerNorm': PLACEMENT, 'nn.GroupNorm': PLACEMENT, 'nn.Conv1d': PLACEMENT,
  // torch's ConvTranspose2d takes padding_mode 'zeros' only.
  'nn.ConvTranspose2d': ['padding_mode', ...PLACEMENT],
  'nn.Upsample': ['recompute_scale_factor'],
  // The labels are 0..9, all of them classes: an ignore_index would drop a digit from training.
  'nn.CrossEntropyLoss': [...DEPRECATED, 'ignore_index'],
  'nn.NLLLoss': [...DEPRECATED, 'ignore_index'],
  'nn.MSELoss': DEPRECATED, 'nn.L1Loss': DEPRECATED, 'nn.SmoothL1Loss': DEPRECATED,
  // BCE's weight is per element of the batch's output, and pos_weight's length must match an output that an
  // image target (the Autoencoder) makes 28: not offered until a row can say which.
  'nn.BCELoss': ['weight', ...DEPRECATED], 'nn.BCEWithLogitsLoss': ['weight', ...DEPRECATED, 'pos_weight'],
  'nn.KLDivLoss': DEPRECATED, 'nn.MultiMarginLoss': DEPRECATED,
  'optim.SGD': ['params', 'maximize', 'foreach', 'differentiable'],
  'optim.Adam': ['params', 'maximize', 'foreach', 'capturable', 'differentiable', 'fused'],
  'optim.AdamW': ['params', 'maximize', 'foreach', 'capturable'],
  'optim.RMSprop': ['params', 'maximize', 'foreach', 'differentiable'],
  'optim.Adagrad': ['params', 'maximize', 'foreach'],
  'optim.Adadelta': ['params', 'maximize', 'foreach'],
  'optim.NAdam': ['params', 'foreach'],
  'optim.RAdam': ['params', 'foreach'],
  'optim.Adamax': ['params', 'maximize', 'foreach'],
};

const camel = (torchName: string) => torchName.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

interface Row { torch: string; params: TypedInfo['params']; put: (spec: ModelSpec, params: Params) => void }

/** Every row that names a torch class, and how a spec carries params for it. */
const ROWS: Row[] = [
  ...Object.values(OP_CATALOGUE).map((row): Row => ({
    torch: row.torch, params: row.params,
    put: (spec, params) => { spec.nodes.push({ id: 'extra', op: row.op, params }); },
  })),
  ...Object.values(LOSS_CATALOGUE).map((row): Row => ({ torch: row.torch, params: row.params, put: (spec, params) => { spec.loss = { type: row.type as never, params }; } })),
  ...Object.values(OPTIMIZER_CATALOGUE).map((row): Row => ({ torch: row.torch, params: row.params, put: (spec, params) => { spec.optimizer = { type: row.type as never, params }; } })),
  ...Object.values(SCHEDULER_CATALOGUE).map((row): Row => ({ torch: row.torch, params: row.params, put: (spec, params) => { spec.scheduler = { type: row.type as never, params }; } })),
].filter((row) => /^(nn|optim)\./.test(row.torch));

describe(`each torch option is offered or refused by name (${fixture.python})`, () => {
  it('the fixture has every row that names a torch class', () => {
    expect(Object.keys(fixture.options).sort()).toEqual(ROWS.map((r) => r.torch).sort());
  });

  it.each(ROWS.map((row) => [row.torch, row] as const))('%s', (torch, row) => {
    const offered = row.params.map((p) => p.torchName);
    const torchOptions = fixture.options[torch];
    // Each param is torch's own, spelled as torch spells it (the twin writes these names), or LayerLab's.
    expect(offered.filter((name) => !torchOptions.includes(name))).toEqual(LAYERLAB_ONLY[torch] ?? []);
    const missing = torchOptions.filter((name) => !offered.includes(name));
    expect([...missing].sort()).toEqual([...(NOT_OFFERED[torch] ?? []), ...(torch.startsWith('optim.lr_scheduler.') ? SCHEDULER : [])].sort());
    for (const name of missing) {
      for (const key of new Set([camel(name), name])) {
        const spec = getPreset('MLP')!;
        row.put(spec, { [key]: 1 });
        const errors = validateSpec(spec).filter((e) => e.code === 'unknown-param' || e.code === 'unknown-param-none');
        expect(errors.map((e) => e.params.param), `${torch} ${key}`).toEqual([key]);
        expect(() => toPyTorch(spec), `${torch} ${key}`).toThrow(`unknown param '${key}'`);
      }
    }
  });
});

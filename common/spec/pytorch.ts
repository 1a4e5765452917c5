/**
 * toPyTorch: a runnable PyTorch script for a spec, so learners can take their model to real PyTorch.
 *
 * A chain becomes nn.Sequential, a graph (branches, Add, Concat) an nn.Module subclass whose attributes are the
 * node ids; either way the state-dict keys match LayerLab's (see moduleNames), so weights saved as safetensors
 * load on both sides. Data comes from the MNIST IDX .gz files (no torchvision needed), and training is the
 * loop of "What is torch.nn really?": forward, loss, backward, step, zero_grad, then a validation pass.
 */
import {
  LOSS_CATALOGUE, OP_CATALOGUE, OPTIMIZER_CATALOGUE, SCHEDULER_CATALOGUE, resolveParams, type ParamInfo,
} from './catalogue';
import { chainOf, inputsOf, moduleNames, pyName, topoSort, outputId, nodeById } from './graph';
import { MNIST_MEAN, MNIST_STD, type ModelSpec, type ParamValue, type Params, type SpecNode } from './types';

export interface PyTorchOptions {
  epochs?: number;
  seed?: number;
  /** Default of the script's --data flag. */
  dataDir?: string;
}

/** A JSON-ish value as Python source. */
export function pyValue(v: ParamValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(v)) return `(${v.map(pyValue).join(', ')}${v.length === 1 ? ',' : ''})`;
  return String(v);
}

const same = (a: ParamValue, b: ParamValue) => JSON.stringify(a) === JSON.stringify(b);

/** Arguments of a torch call: required params positionally, others as keywords when not the default. */
function pyArgs(
  infos: readonly ParamInfo[], params: Params | undefined, skip: string[] = [], always: string[] = [], keywordsOnly = false,
): string[] {
  const p = resolveParams(infos, params);
  const args: string[] = [];
  for (const info of infos) {
    if (skip.includes(info.name)) continue;
    if (info.required) args.push(keywordsOnly ? `${info.torchName}=${pyValue(p[info.name])}` : pyValue(p[info.name]));
    else if (always.includes(info.name) || !same(p[info.name], info.default)) args.push(`${info.torchName}=${pyValue(p[info.name])}`);
  }
  return args;
}

/** For a recurrent node, the nn.LSTM-style subclass that drops the hidden state (and keeps the last step). */
function recurrentClass(node: SpecNode): string {
  const last = (node.params.output ?? 'last') === 'last';
  return `${node.op}${last ? 'LastStep' : 'Output'}`;
}

function moduleExpr(node: SpecNode): string {
  const info = OP_CATALOGUE[node.op];
  if (info.category === 'recurrent') return `${recurrentClass(node)}(${pyArgs(info.params, node.params, ['output']).join(', ')})`;
  return `${info.torch}(${pyArgs(info.params, node.params).join(', ')})`;
}

function recurrentClasses(spec: ModelSpec): string[] {
  const lines: string[] = [];
  const done = new Set<string>();
  for (const node of spec.nodes) {
    if (OP_CATALOGUE[node.op]?.category !== 'recurrent') continue;
    const name = recurrentClass(node);
    if (done.has(name)) continue;
    done.add(name);
    const last = name.endsWith('LastStep');
    lines.push(
      `class ${name}(nn.${node.op}):`,
      `    """nn.${node.op} returns (output, hidden); keep ${last ? "the last time step's output, (N, hidden_size)" : 'the output, (N, L, hidden_size)'}."""`,
      '',
      '    def forward(self, x):',
      '        output, _ = super().forward(x)',
      `        return ${last ? 'output[:, -1]' : 'output'}`,
      '',
      '',
    );
  }
  return lines;
}

function modelCode(spec: ModelSpec): string[] {
  const chain = chainOf(spec);
  if (chain) {
    return ['model = nn.Sequential(', ...chain.map((n) => `    ${moduleExpr(n)},  # ${n.id}`), ')'];
  }
  const nodes = nodeById(spec);
  const names = moduleNames(spec);
  const { order } = topoSort(spec);
  const vars = new Map<string, string>();
  const init: string[] = [];
  const forward: string[] = [];
  for (const id of order) {
    const node = nodes.get(id)!;
    if (node.op === 'Input') {
      vars.set(id, 'x');
      continue;
    }
    const v = pyName(id);
    vars.set(id, v);
    const ins = inputsOf(spec, id).map((f) => vars.get(f)!);
    if (node.op === 'Add') forward.push(`        ${v} = ${ins.join(' + ')}`);
    else if (node.op === 'Concat') forward.push(`        ${v} = torch.cat([${ins.join(', ')}], dim=${node.params.dim ?? 1})`);
    else {
      init.push(`        self.${names.get(id)} = ${moduleExpr(node)}`);
      forward.push(`        ${v} = self.${names.get(id)}(${ins[0]})`);
    }
  }
  const out = outputId(spec)!;
  return [
    'class Net(nn.Module):',
    `    """${spec.name ?? 'The model'} as a graph: each node is an attribute, forward runs them in order."""`,
    '',
    '    def __init__(self):',
    '        super().__init__()',
    ...init,
    '',
    '    def forward(self, x):',
    ...forward,
    `        return ${vars.get(out)}`,
    '',
    '',
    'model = Net()',
  ];
}

function normalizeLine(spec: ModelSpec): string {
  switch (spec.data.normalize) {
    case 'scale': return '    x = x / 255  # pixels to [0, 1]';
    case 'standardize': return `    x = (x / 255 - ${MNIST_MEAN}) / ${MNIST_STD}  # MNIST mean and std`;
    default: return '    # pixels kept as 0..255';
  }
}

export function toPyTorch(spec: ModelSpec, options: PyTorchOptions = {}): string {
  const input = spec.nodes.find((n) => n.op === 'Input')!;
  const shape = (input.params.shape as number[]) ?? [1, 28, 28];
  const oneHot = !['CrossEntropyLoss', 'NLLLoss'].includes(spec.loss.type);
  const lossInfo = LOSS_CATALOGUE[spec.loss.type];
  const optInfo = OPTIMIZER_CATALOGUE[spec.optimizer.type];
  const optArgs = ['model.parameters()', ...pyArgs(optInfo.params, spec.optimizer.params, [], ['lr'])];
  const schedInfo = spec.scheduler && SCHEDULER_CATALOGUE[spec.scheduler.type];
  const scheduler = spec.scheduler && schedInfo
    ? `scheduler = ${schedInfo.torch}(${['opt', ...pyArgs(schedInfo.params, spec.scheduler.params, [], [], true)].join(', ')})`
    : 'scheduler = None';
  const name = spec.name ?? 'model';

  return [
    `"""${name}: generated by LayerLab from a version-${spec.version} model spec.`,
    '',
    `Run: python3 ${pyName(name.toLowerCase())}.py --data ${options.dataDir ?? 'data/mnist'} [--epochs N] [--limit N] [--init weights.safetensors]`,
    'Needs only PyTorch; the data folder holds the four MNIST IDX .gz files.',
    '"""',
    'import argparse',
    'import gzip',
    'import json',
    'import os',
    'import struct',
    '',
    'import torch',
    'import torch.nn.functional as F',
    'from torch import nn, optim',
    'from torch.utils.data import DataLoader, TensorDataset',
    '',
    'parser = argparse.ArgumentParser()',
    `parser.add_argument("--data", default=${pyValue(options.dataDir ?? 'data/mnist')}, help="folder of the MNIST IDX .gz files")`,
    `parser.add_argument("--epochs", type=int, default=${options.epochs ?? 2})`,
    'parser.add_argument("--limit", type=int, default=0, help="use only the first N training images (0 = all)")',
    'parser.add_argument("--test-limit", type=int, default=0, help="evaluate on the first N test images only (0 = all)")',
    'parser.add_argument("--init", help="start from weights in a .safetensors file (e.g. from npm run train -- --save)")',
    'args = parser.parse_args()',
    `torch.manual_seed(${options.seed ?? 0})`,
    '',
    `INPUT_SHAPE = ${pyValue(shape)}  # one sample, as the Input node views it`,
    `BATCH_SIZE = ${spec.data.batchSize}`,
    `VALIDATION_SIZE = ${spec.data.validationSize}`,
    '',
    '',
    'def load_idx(path):',
    '    """An IDX file (the MNIST format): magic, dims as big-endian int32, then uint8 data."""',
    '    with gzip.open(path, "rb") as f:',
    '        data = f.read()',
    '    ndim = data[3]',
    '    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]',
    '    return torch.frombuffer(bytearray(data[4 + 4 * ndim:]), dtype=torch.uint8).view(*dims)',
    '',
    '',
    'def load_safetensors(path):',
    '    """A state dict from a .safetensors file: 8-byte header size, JSON header, raw little-endian data."""',
    '    with open(path, "rb") as f:',
    '        data = f.read()',
    '    (size,) = struct.unpack("<Q", data[:8])',
    '    header = json.loads(data[8:8 + size])',
    '    dtypes = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64}',
    '    state = {}',
    '    for name, info in header.items():',
    '        if name != "__metadata__":',
    '            start, end = info["data_offsets"]',
    '            raw = bytearray(data[8 + size + start:8 + size + end])',
    '            state[name] = torch.frombuffer(raw, dtype=dtypes[info["dtype"]]).reshape(info["shape"])',
    '    return state',
    '',
    '',
    'def load(kind):',
    '    x = load_idx(os.path.join(args.data, f"{kind}-images-idx3-ubyte.gz")).float()',
    '    y = load_idx(os.path.join(args.data, f"{kind}-labels-idx1-ubyte.gz")).long()',
    normalizeLine(spec),
    '    return x.view(-1, *INPUT_SHAPE), y',
    '',
    '',
    'x_train, y_train = load("train")',
    'x_test, y_test = load("t10k")',
    'if args.limit:',
    '    x_train, y_train = x_train[:args.limit], y_train[:args.limit]',
    'if args.test_limit:',
    '    x_test, y_test = x_test[:args.test_limit], y_test[:args.test_limit]',
    'n_valid = min(VALIDATION_SIZE, len(x_train) // 5)',
    'perm = torch.randperm(len(x_train))',
    'x_valid, y_valid = x_train[perm[:n_valid]], y_train[perm[:n_valid]]',
    'x_train, y_train = x_train[perm[n_valid:]], y_train[perm[n_valid:]]',
    '',
    'train_ds = TensorDataset(x_train, y_train)',
    `train_dl = DataLoader(train_ds, batch_size=BATCH_SIZE, shuffle=${pyValue(spec.data.shuffle)})`,
    'valid_dl = DataLoader(TensorDataset(x_valid, y_valid), batch_size=BATCH_SIZE * 2)',
    'test_dl = DataLoader(TensorDataset(x_test, y_test), batch_size=BATCH_SIZE * 2)',
    '',
    '',
    ...recurrentClasses(spec),
    ...modelCode(spec),
    'if args.init:',
    '    model.load_state_dict(load_safetensors(args.init))',
    `loss_func = ${lossInfo.torch}(${pyArgs(lossInfo.params, spec.loss.params).join(', ')})`,
    `opt = ${optInfo.torch}(${optArgs.join(', ')})`,
    scheduler,
    '',
    '',
    'def target(yb):',
    oneHot ? `    return F.one_hot(yb, 10).float()  # ${spec.loss.type} compares with one-hot vectors` : '    return yb  # class indices',
    '',
    '',
    'def loss_batch(model, loss_func, xb, yb, opt=None):',
    '    pred = model(xb)',
    '    loss = loss_func(pred, target(yb))',
    '    if opt is not None:',
    '        loss.backward()',
    '        opt.step()',
    '        opt.zero_grad()',
    '    return loss.item(), (pred.argmax(dim=1) == yb).sum().item(), len(xb)',
    '',
    '',
    'def evaluate(model, dl):',
    '    model.eval()',
    '    with torch.no_grad():',
    '        results = [loss_batch(model, loss_func, xb, yb) for xb, yb in dl]',
    '    n = sum(r[2] for r in results)',
    '    return sum(r[0] * r[2] for r in results) / n, sum(r[1] for r in results) / n',
    '',
    '',
    'def fit(epochs, model, loss_func, opt, train_dl, valid_dl):',
    '    for epoch in range(epochs):',
    '        model.train()',
    '        for xb, yb in train_dl:',
    '            loss_batch(model, loss_func, xb, yb, opt)',
    '        if scheduler is not None:',
    '            scheduler.step()',
    '        if len(valid_dl.dataset) > 0:',
    '            val_loss, val_acc = evaluate(model, valid_dl)',
    '            print(f"epoch {epoch + 1}: val_loss {val_loss:.4f} val_acc {val_acc:.4f}")',
    '',
    '',
    'fit(args.epochs, model, loss_func, opt, train_dl, valid_dl)',
    'test_loss, test_acc = evaluate(model, test_dl)',
    'print(f"test_loss {test_loss:.4f} test_acc {test_acc:.4f}")',
    '',
  ].join('\n');
}

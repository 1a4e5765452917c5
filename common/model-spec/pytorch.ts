/**
 * toPyTorch: a runnable PyTorch script for a spec, so learners can take their model to real PyTorch.
 *
 * A chain becomes nn.Sequential, a graph (branches, Add, Concat) an nn.Module subclass whose attributes are the
 * node ids; either way the state-dict keys match LayerLab's (see moduleNames), so weights saved as safetensors
 * load on both sides. Data comes from the MNIST IDX .gz files (no torchvision needed), and training is the
 * loop of "What is torch.nn really?": forward, loss, backward, step, zero_grad, then a validation pass.
 */
import {
  LOSS_CATALOGUE, OP_CATALOGUE, OPTIMIZER_CATALOGUE, SCHEDULER_CATALOGUE, resolveParams, schedulerStepsPer, type ParamInfo,
} from './catalogue';
import { chainOf, inputsOf, moduleNames, pyName, topoSort, outputId, nodeById } from './graph';
import { MNIST_MEAN, MNIST_STD, type ModelSpec, type Normalize, type ParamValue, type Params, type SpecNode } from './types';
import { targetOf } from './target';
import { twinAugment } from './twin-augment';
import { validateSpec } from './validate';

export interface PyTorchOptions {
  epochs?: number;
  /** The run's seed: the default of the script's --seed (split, batch order, torch.manual_seed). */
  seed?: number;
  /** Default of the script's --data flag. */
  dataDir?: string;
  /** Stop after `patience` epochs without a validation loss `minDelta` below the best, keeping the best weights. */
  earlyStopping?: { patience: number; minDelta: number } | null;
  /** clip_grad_norm_'s max_norm after every backward pass. */
  clipGradNorm?: number | null;
  /**
   * A weights file downloaded beside the script: the default of `--init`, so `python3 twin.py --epochs 0` loads it
   * and evaluates it on the test set.
   */
  init?: string;
}

/**
 * The twin's copy of common/split.ts, line for line: mulberry32, the stratified split and each epoch's order. With
 * the run's seed the script holds out the same images and visits the rest in the same order as the app.
 * twin-split.test.ts compares it with a fixture this very code wrote (scripts/twin-split-fixture.ts regenerates it).
 */
export const TWIN_SPLIT_CODE: readonly string[] = [
  'MASK = 0xFFFFFFFF',
  '',
  '',
  'def mulberry32(seed):',
  '    """LayerLab random numbers: floats in [0, 1), the same stream as the app draws for the same seed."""',
  '    state = seed & MASK',
  '',
  '    def next_float():',
  '        nonlocal state',
  '        state = (state + 0x6D2B79F5) & MASK',
  '        t = ((state ^ (state >> 15)) * (state | 1)) & MASK',
  '        t ^= (t + ((t ^ (t >> 7)) * (t | 61))) & MASK',
  '        return (t ^ (t >> 14)) / 4294967296',
  '',
  '    return next_float',
  '',
  '',
  'def stratified_split(labels, n_valid, seed):',
  '    """(train, valid) index lists: n_valid samples held out, each class in proportion, drawn by seed."""',
  '    by_class = {}',
  '    for i, label in enumerate(labels):',
  '        by_class.setdefault(label, []).append(i)',
  '    classes = sorted(by_class)',
  '    exact = [len(by_class[c]) * n_valid / len(labels) for c in classes]',
  '    quota = [int(e) for e in exact]',
  '    # The places left over go to the largest remainders (ties: the smaller label).',
  '    by_remainder = sorted(range(len(classes)), key=lambda k: (-(exact[k] - quota[k]), k))',
  '    for k in by_remainder[:n_valid - sum(quota)]:',
  '        quota[k] += 1',
  '    random = mulberry32(seed)',
  '    held_out = set()',
  '    for k, c in enumerate(classes):',
  '        members = by_class[c]',
  '        for i in range(quota[k]):  # a partial Fisher-Yates shuffle of the class',
  '            j = i + int(random() * (len(members) - i))',
  '            members[i], members[j] = members[j], members[i]',
  '            held_out.add(members[i])',
  '    train = [i for i in range(len(labels)) if i not in held_out]',
  '    return train, sorted(held_out)',
  '',
  '',
  'def epoch_order(n, seed, epoch, shuffle):',
  '    """The order in which epoch `epoch` (from 1) visits the n training samples: Fisher-Yates from the end."""',
  '    order = list(range(n))',
  '    if shuffle:',
  '        random = mulberry32(seed * 7919 + epoch)',
  '        for i in range(n - 1, 0, -1):',
  '            j = int(random() * (i + 1))',
  '            order[i], order[j] = order[j], order[i]',
  '    return order',
];

/** The docstring's lines on running the script under torchrun, unchanged. */
const twinDistributedDoc = (script: string): string[] => [
  'The same script scales out with PyTorch\'s own launcher, unchanged (one process per GPU, or per CPU worker):',
  `    torchrun --nproc_per_node 2 --redirects 1 --tee 2 --log_dir logs ${script} --data ... --save out.safetensors`,
  'DistributedDataParallel (backend nccl on GPUs, gloo on CPU) with a DistributedSampler seeded by --seed; BATCH_SIZE',
  'is per process, and rank 0 prints, evaluates and saves. (--redirects 1 --tee 2 --log_dir: Debian\'s torch 1.13',
  'torchrun on Python 3.11 fails with its default log redirects; each rank\'s output is then in the log folder.)',
];

/**
 * Under torchrun (which sets RANK and WORLD_SIZE) the script joins the process group: nccl with one GPU a process
 * where torch sees GPUs, gloo on CPU otherwise. Run plainly, it is one process on the CPU, as before.
 */
const TWIN_DISTRIBUTED_SETUP: readonly string[] = [
  'DISTRIBUTED = "RANK" in os.environ and "WORLD_SIZE" in os.environ  # started by torchrun',
  'if DISTRIBUTED:',
  '    dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")',
  '    RANK = dist.get_rank()',
  '    if torch.cuda.is_available():',
  '        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))',
  '    device = torch.device("cuda", torch.cuda.current_device()) if torch.cuda.is_available() else torch.device("cpu")',
  'else:',
  '    RANK, device = 0, torch.device("cpu")',
];

/** The twin's safetensors writer: no package needed, and the file loads in LayerLab (or with --init) as it is. */
const TWIN_SAVE_CODE: readonly string[] = [
  'def save_safetensors(state, path):',
  '    """A state dict to a .safetensors file: 8-byte header size, JSON header, raw little-endian data."""',
  '    dtypes = {torch.float32: "F32", torch.float64: "F64", torch.int32: "I32", torch.int64: "I64"}',
  '    header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0',
  '    for name, tensor in state.items():',
  '        tensor = tensor.detach().cpu().contiguous().reshape(-1)',
  '        raw = bytes(tensor.view(torch.uint8).tolist())',
  '        header[name] = {"dtype": dtypes[tensor.dtype], "shape": list(state[name].shape), "data_offsets": [offset, offset + len(raw)]}',
  '        chunks.append(raw)',
  '        offset += len(raw)',
  '    head = json.dumps(header).encode()',
  '    with open(path, "wb") as f:',
  '        f.write(struct.pack("<Q", len(head)) + head + b"".join(chunks))',
];

/** A float as Python source that reads as one: 1 → 1.0, 0.5 → 0.5. */
function pyNumber(x: number): string {
  return Number.isInteger(x) ? `${x}.0` : String(x);
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

/** One argument's value: a list of floats (a loss's class weights) is the tensor torch wants, the rest literals. */
function pyArg(info: ParamInfo, v: ParamValue): string {
  return info.type === 'floats' && Array.isArray(v) ? `torch.tensor([${v.map(pyNumber).join(', ')}])` : pyValue(v);
}

/** Arguments of a torch call: required params positionally, others as keywords when not the default. */
function pyArgs(
  infos: readonly ParamInfo[], params: Params | undefined, skip: string[] = [], always: string[] = [], keywordsOnly = false,
): string[] {
  const p = resolveParams(infos, params);
  const args: string[] = [];
  for (const info of infos) {
    if (skip.includes(info.name)) continue;
    const value = pyArg(info, p[info.name]);
    if (info.required) args.push(keywordsOnly ? `${info.torchName}=${value}` : value);
    else if (always.includes(info.name) || !same(p[info.name], info.default)) args.push(`${info.torchName}=${value}`);
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
  // `dim` is always written: nn.Softmax and nn.LogSoftmax default to dim=None, an implicit choice PyTorch warns about.
  return `${info.torch}(${pyArgs(info.params, node.params, [], ['dim']).join(', ')})`;
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

/**
 * `scheduler = optim.lr_scheduler.X(opt, …)`, or None. A length the row leaves to the run (`fromRun`, OneCycleLR's
 * total_steps) and the learner left empty is this script's epochs × batches per epoch, as the app's run computes it.
 */
function schedulerLine(spec: ModelSpec): string {
  if (!spec.scheduler) return 'scheduler = None';
  const info = SCHEDULER_CATALOGUE[spec.scheduler.type];
  const args = ['opt', ...pyArgs(info.params, spec.scheduler.params, [], [], true)];
  const p = resolveParams(info.params, spec.scheduler.params);
  const fill = info.fromRun;
  if (fill && p[fill.param] == null && fill.unlessGiven.every((name) => p[name] == null)) {
    const torchName = info.params.find((param) => param.name === fill.param)!.torchName;
    args.push(`${torchName}=max(1, args.epochs * len(train_dl))`);
  }
  return `scheduler = ${info.torch}(${args.join(', ')})`;
}

/** The body of the twin's `target(xb, yb)`: what the loss compares the output with (target.ts, build.ts batchTargets). */
function targetLines(spec: ModelSpec, oneHot: boolean): string[] {
  if (targetOf(spec) !== 'image') {
    return [oneHot ? `    return F.one_hot(yb, 10).float()  # ${spec.loss.type} compares with one-hot vectors` : '    return yb  # class indices'];
  }
  const toUnit: Record<Normalize, string> = { none: 'xb / 255', scale: 'xb', standardize: `xb * ${MNIST_STD} + ${MNIST_MEAN}` };
  return [
    '    # data.target "image": the input itself, as pixels in [0, 1] whatever the normalization of the model\'s input',
    `    return (${toUnit[spec.data.normalize]}).view(-1, 1, 28, 28)`,
  ];
}

export function toPyTorch(spec: ModelSpec, options: PyTorchOptions = {}): string {
  // An option the catalogue does not list (MaxPool2d's return_indices, Adam's maximize, or a torch spelling such as
  // padding_mode) would be left out of the script without a word: refuse it, naming it, as validateSpec does.
  const unknown = validateSpec(spec).filter((e) => e.code === 'unknown-param' || e.code === 'unknown-param-none');
  if (unknown.length > 0) throw new Error(`toPyTorch: ${unknown.map((e) => e.message).join('; ')}`);
  const input = spec.nodes.find((n) => n.op === 'Input')!;
  const shape = (input.params.shape as number[]) ?? [1, 28, 28];
  const image = targetOf(spec) === 'image';
  const lossInfo = LOSS_CATALOGUE[spec.loss.type];
  const oneHot = lossInfo.targets === 'one-hot';
  const optInfo = OPTIMIZER_CATALOGUE[spec.optimizer.type];
  const optArgs = ['model.parameters()', ...pyArgs(optInfo.params, spec.optimizer.params, [], ['lr'])];
  const scheduler = schedulerLine(spec);
  const stepsPerBatch = spec.scheduler !== undefined && schedulerStepsPer(spec.scheduler.type) === 'batch';
  const name = spec.name ?? 'model';
  const early = options.earlyStopping ?? null;
  const clip = options.clipGradNorm ?? null;
  const augment = twinAugment(spec.data);
  if (early && !(Number.isInteger(early.patience) && early.patience >= 1 && early.minDelta >= 0)) {
    throw new Error(`toPyTorch: early stopping needs an integer patience ≥ 1 and a min_delta ≥ 0, got ${JSON.stringify(early)}`);
  }
  if (clip !== null && !(clip > 0 && Number.isFinite(clip))) throw new Error(`toPyTorch: max_norm must be a positive number, got ${clip}`);

  return [
    `"""${name}: generated by LayerLab from a version-${spec.version} model spec.`,
    '',
    `Run: python3 ${pyName(name.toLowerCase())}.py --data ${options.dataDir ?? 'data/mnist'} [--epochs N] [--seed N] [--val-size N] [--init weights.safetensors]`,
    'Needs only PyTorch; the data folder holds the four MNIST IDX .gz files.',
    ...twinDistributedDoc(`${pyName(name.toLowerCase())}.py`),
    'Given the run\'s seed it holds out the same validation images as LayerLab and visits the rest in the same order;',
    'the initial weights and dropout come from torch\'s own generator (start from the app\'s weights with --init).',
    ...(options.init === undefined ? [] : [`Saved beside ${options.init}: run this script with --epochs 0 to load those weights and evaluate them on the test set.`]),
    '"""',
    'import argparse',
    ...(early ? ['import copy'] : []),
    'import gzip',
    'import json',
    ...augment.imports,
    'import os',
    'import struct',
    '',
    'import torch',
    'import torch.distributed as dist',
    'import torch.nn.functional as F',
    'from torch import nn, optim',
    'from torch.nn.parallel import DistributedDataParallel',
    'from torch.utils.data import DataLoader, Sampler, TensorDataset',
    'from torch.utils.data.distributed import DistributedSampler',
    '',
    'parser = argparse.ArgumentParser()',
    `parser.add_argument("--data", default=${pyValue(options.dataDir ?? 'data/mnist')}, help="folder of the MNIST IDX .gz files")`,
    `parser.add_argument("--epochs", type=int, default=${options.epochs ?? 2})`,
    'parser.add_argument("--limit", type=int, default=0, help="use only the first N training images (0 = all; the split is then not the app\'s)")',
    'parser.add_argument("--test-limit", type=int, default=0, help="evaluate on the first N test images only (0 = all)")',
    options.init === undefined
      ? 'parser.add_argument("--init", help="start from weights in a .safetensors file (e.g. from npm run train -- --save)")'
      : `parser.add_argument("--init", default=${pyValue(options.init)}, help="start from these weights (downloaded from LayerLab beside this script); --epochs 0 only evaluates them")`,
    `parser.add_argument("--seed", type=int, default=${options.seed ?? 0}, help="the run's seed: the validation split, each epoch's order, torch.manual_seed")`,
    `parser.add_argument("--val-size", type=int, default=${spec.data.validationSize}, help="training images held out for validation, stratified by class (0 = none)")`,
    `parser.add_argument("--shuffle", action=argparse.BooleanOptionalAction, default=${pyValue(spec.data.shuffle)}, help="a new order each epoch (--no-shuffle: in order)")`,
    'parser.add_argument("--save-split", metavar="FILE", help="write the split and each epoch\'s order to FILE as JSON, then exit")',
    'parser.add_argument("--save", metavar="FILE", help="save the trained weights as .safetensors, for LayerLab or --init (under torchrun, rank 0 writes it)")',
    'parser.add_argument("--log-batches", action="store_true", help="print one JSON line per batch: epoch, batch, batches, loss (as npm run train -- --log-batches --json)")',
    'args = parser.parse_args()',
    'torch.manual_seed(args.seed)',
    ...TWIN_DISTRIBUTED_SETUP,
    '',
    `INPUT_SHAPE = ${pyValue(shape)}  # one sample, as the Input node views it`,
    `BATCH_SIZE = ${spec.data.batchSize}`,
    ...(early ? [
      '# Early stopping as LayerLab does it (PyTorch Lightning\'s EarlyStopping names): stop after PATIENCE epochs',
      '# without a validation loss MIN_DELTA below the best, and go back to the best epoch\'s weights.',
      `PATIENCE = ${early.patience}`,
      `MIN_DELTA = ${pyNumber(early.minDelta)}`,
    ] : []),
    ...(clip !== null ? [`MAX_NORM = ${pyNumber(clip)}  # clip_grad_norm_ after every backward pass`] : []),
    '',
    '',
    ...TWIN_SPLIT_CODE,
    ...augment.definitions,
    '',
    '',
    'class LayerLabOrder(Sampler):',
    '    """Each epoch visits the training set in epoch_order(n, seed, epoch): the batches LayerLab trains on."""',
    '',
    '    def __init__(self, n, seed, shuffle):',
    '        self.n, self.seed, self.shuffle, self.epoch = n, seed, shuffle, 1',
    '',
    '    def set_epoch(self, epoch):',
    '        self.epoch = epoch',
    '',
    '    def __iter__(self):',
    '        return iter(epoch_order(self.n, self.seed, self.epoch, self.shuffle))',
    '',
    '    def __len__(self):',
    '        return self.n',
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
    ...TWIN_SAVE_CODE,
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
    'if not 0 <= args.val_size < len(x_train):',
    '    parser.error(f"--val-size is {args.val_size}, but there are {len(x_train)} training images; use 0 to {len(x_train) - 1}")',
    'train_idx, valid_idx = stratified_split(y_train.tolist(), args.val_size, args.seed)',
    'if args.save_split:',
    '    with open(args.save_split, "w") as f:',
    '        orders = [epoch_order(len(train_idx), args.seed, e, args.shuffle) for e in range(1, args.epochs + 1)]',
    '        json.dump({"seed": args.seed, "train": train_idx, "validation": valid_idx, "epochs": orders}, f)',
    '    raise SystemExit(0)',
    'x_valid, y_valid = x_train[valid_idx], y_train[valid_idx]',
    'x_train, y_train = x_train[train_idx], y_train[train_idx]',
    '',
    'train_ds = TensorDataset(x_train, y_train)',
    'if DISTRIBUTED:  # each process trains on its share of every epoch: every Nth sample of a seeded shuffle',
    '    train_order = DistributedSampler(train_ds, shuffle=args.shuffle, seed=args.seed)',
    'else:',
    '    train_order = LayerLabOrder(len(train_ds), args.seed, args.shuffle)',
    'train_dl = DataLoader(train_ds, batch_size=BATCH_SIZE, sampler=train_order)',
    'valid_dl = DataLoader(TensorDataset(x_valid, y_valid), batch_size=BATCH_SIZE * 2)',
    'test_dl = DataLoader(TensorDataset(x_test, y_test), batch_size=BATCH_SIZE * 2)',
    '',
    '',
    ...recurrentClasses(spec),
    ...modelCode(spec),
    'if args.init:',
    '    model.load_state_dict(load_safetensors(args.init))',
    'model.to(device)',
    '# DistributedDataParallel averages the gradients of every process; `model` itself keeps plain state-dict keys.',
    'train_model = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None) if DISTRIBUTED else model',
    `loss_func = ${lossInfo.torch}(${pyArgs(lossInfo.params, spec.loss.params).join(', ')})`,
    `opt = ${optInfo.torch}(${optArgs.join(', ')})`,
    scheduler,
    '',
    '',
    'def target(xb, yb):',
    ...targetLines(spec, oneHot),
    '',
    '',
    'def loss_batch(model, loss_func, xb, yb, opt=None):',
    '    xb, yb = xb.to(device), yb.to(device)',
    '    pred = model(xb)',
    '    loss = loss_func(pred, target(xb, yb))',
    '    if opt is not None:',
    '        loss.backward()',
    ...(clip !== null ? ['        nn.utils.clip_grad_norm_(model.parameters(), max_norm=MAX_NORM)'] : []),
    '        opt.step()',
    '        opt.zero_grad()',
    image ? '    return loss.item(), 0, len(xb)  # an image target has no accuracy' : '    return loss.item(), (pred.argmax(dim=1) == yb).sum().item(), len(xb)',
    '',
    '',
    'def evaluate(model, dl):',
    '    model.eval()',
    '    with torch.no_grad():',
    '        results = [loss_batch(model, loss_func, xb, yb) for xb, yb in dl]',
    '    n = sum(r[2] for r in results)',
    // Per sample, as the engine reports it: a mean loss counts once per sample of its batch, a summed one already has.
    `    return sum(${spec.loss.params?.reduction === 'sum' ? 'r[0]' : 'r[0] * r[2]'} for r in results) / n, sum(r[1] for r in results) / n`,
    '',
    '',
    'def fit(epochs, model, loss_func, opt, train_dl, valid_dl):',
    ...(early ? ['    best_loss, best_epoch, best_state = None, 0, None'] : []),
    '    for epoch in range(epochs):',
    '        train_order.set_epoch(epoch + 1)',
    '        model.train()',
    '        for batch, (xb, yb) in enumerate(train_dl, 1):',
    ...augment.apply,
    '            loss, _, n = loss_batch(model, loss_func, xb, yb, opt)',
    ...(stepsPerBatch ? ['            scheduler.step()  # after every batch, as this scheduler is meant to step'] : []),
    '            if args.log_batches:',
    `                line = {"epoch": epoch + 1, "batch": batch, "batches": len(train_dl), "loss": ${spec.loss.params?.reduction === 'sum' ? 'loss / n' : 'loss'}}`,
    '                print(json.dumps({**line, "rank": RANK} if DISTRIBUTED else line), flush=True)',
    ...(stepsPerBatch ? [] : ['        if scheduler is not None:', '            scheduler.step()']),
    '        if len(valid_dl.dataset) > 0:',
    '            val_loss, val_acc = evaluate(model, valid_dl)',
    '            if RANK == 0:',
    `                print(f"epoch {epoch + 1}: val_loss {val_loss:.4f}${image ? '' : ' val_acc {val_acc:.4f}'}")`,
    ...(early ? [
      '            if best_loss is None or val_loss < best_loss - MIN_DELTA:',
      '                best_loss, best_epoch, best_state = val_loss, epoch + 1, copy.deepcopy(model.state_dict())',
      '            elif epoch + 1 - best_epoch >= PATIENCE:',
      '                if RANK == 0:',
    '                    print(f"early stopping: no better val_loss for {PATIENCE} epochs; back to epoch {best_epoch}")',
      '                model.load_state_dict(best_state)',
      '                return',
    ] : []),
    '',
    '',
    'fit(args.epochs, train_model, loss_func, opt, train_dl, valid_dl)',
    'if RANK == 0:  # the other processes hold the same weights',
    '    test_loss, test_acc = evaluate(model, test_dl)',
    `    print(f"test_loss {test_loss:.4f}${image ? '' : ' test_acc {test_acc:.4f}'}")`,
    '    if args.log_batches:  # the same at full precision, as npm run train -- --json ends',
    `        print(json.dumps({"testLoss": test_loss, "testAcc": ${image ? 'None' : 'test_acc'}}), flush=True)`,
    '    if args.save:',
    '        save_safetensors(model.state_dict(), args.save)',
    '        print(f"saved {args.save}")',
    'if DISTRIBUTED:',
    '    dist.destroy_process_group()',
    '',
  ].join('\n');
}

/**
 * Flags of `npm run train`, parsed strictly: unknown flags, missing values and bad numbers are UsageErrors
 * that say which flag and what it wants.
 */

export interface TrainArgs {
  spec?: string;
  preset?: string;
  listPresets: boolean;
  help: boolean;
  data?: string;
  epochs: number;
  batchSize?: number;
  lr?: number;
  seed: number;
  shuffle?: boolean;
  limit: number;
  testLimit: number;
  valSize?: number;
  init?: string;
  save?: string;
  /** Write the model's initial weights (drawn by --seed, or read from --init) and exit without training. */
  saveInit?: string;
  json: boolean;
  logBatches: boolean;
  /** 'auto' (time a few steps on every backend, take the fastest) or a backend name. */
  backend: string;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export const USAGE = `Usage: npm run train -- (--spec FILE | --preset NAME) [options]

Trains a LayerLab model spec on MNIST with the LayerLab engine.

  --spec FILE            model spec JSON (version 1, see common/model-spec/README.md)
  --preset NAME          a built-in spec instead (see --list-presets)
  --list-presets         list the presets and exit
  --data DIR             folder of the MNIST IDX files (train-images-idx3-ubyte.gz, ...);
                         default ../shared/data/<dataset>
  --epochs N             default 1
  --batch-size N         overrides the spec's batch size
  --lr X                 overrides the optimizer's learning rate
  --seed N               seeds weights, shuffling and dropout (default 0)
  --no-shuffle           keep the training order
  --limit N              train on the first N training images only
  --test-limit N         evaluate on the first N test images only
  --val-size N           validation images held out (stratified); 0 = train on the training file as is, in order;
                         default: the spec's, at most a sixth of --limit
  --init FILE            load initial weights from a .safetensors file
  --save FILE            save the trained weights as .safetensors
  --save-init FILE       save the weights training would start from (drawn by --seed) as .safetensors and exit
                         without training, e.g. for the PyTorch twin's --init
  --json                 one JSON line per epoch, then {testLoss, testAcc}
  --log-batches          print every batch's loss
  --backend NAME         auto (default: time a few steps of this model on each backend, train on the fastest),
                         cpu, wasm, wasm+threads, gpujs-webasm, … (those this machine has)
  -h, --help             this text`;

type Kind = 'string' | 'int' | 'count' | 'float' | 'flag';
const FLAGS: Record<string, [keyof TrainArgs, Kind]> = {
  '--spec': ['spec', 'string'],
  '--preset': ['preset', 'string'],
  '--list-presets': ['listPresets', 'flag'],
  '--help': ['help', 'flag'],
  '-h': ['help', 'flag'],
  '--data': ['data', 'string'],
  '--epochs': ['epochs', 'count'],
  '--batch-size': ['batchSize', 'count'],
  '--lr': ['lr', 'float'],
  '--seed': ['seed', 'int'],
  '--limit': ['limit', 'count'],
  '--test-limit': ['testLimit', 'count'],
  '--val-size': ['valSize', 'int'],
  '--init': ['init', 'string'],
  '--save': ['save', 'string'],
  '--save-init': ['saveInit', 'string'],
  '--json': ['json', 'flag'],
  '--log-batches': ['logBatches', 'flag'],
  '--backend': ['backend', 'string'],
};

function parseValue(flag: string, kind: Kind, raw: string): string | number {
  if (kind === 'string') return raw;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${flag} needs a number, got '${raw}'`);
  if (kind === 'float') {
    if (value <= 0) throw new UsageError(`${flag} must be > 0, got ${raw}`);
    return value;
  }
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`${flag} needs a whole number ≥ 0, got '${raw}'`);
  if (kind === 'count' && value === 0) throw new UsageError(`${flag} must be at least 1, got 0`);
  return value;
}

export function parseTrainArgs(argv: readonly string[]): TrainArgs {
  const args: TrainArgs = { listPresets: false, help: false, epochs: 1, seed: 0, limit: 0, testLimit: 0, json: false, logBatches: false, backend: 'auto' };
  const record = args as unknown as Record<string, unknown>;
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    let flag = argv[i];
    let inline: string | undefined;
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) {
      inline = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    }
    if (flag === '--no-shuffle') {
      args.shuffle = false;
      continue;
    }
    const entry = FLAGS[flag];
    if (!entry) throw new UsageError(flag.startsWith('-') ? `unknown flag ${flag} (see --help)` : `unexpected argument '${flag}' (flags start with --)`);
    const [key, kind] = entry;
    if (seen.has(key) && kind !== 'flag') throw new UsageError(`${flag} given twice`);
    seen.add(key);
    if (kind === 'flag') {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
      record[key] = true;
      continue;
    }
    const raw = inline ?? argv[++i];
    if (raw === undefined || (inline === undefined && raw.startsWith('--'))) throw new UsageError(`${flag} needs a value`);
    record[key] = parseValue(flag, kind, raw);
  }
  if (!args.help && !args.listPresets) {
    if (args.spec && args.preset) throw new UsageError('give either --spec or --preset, not both');
    if (!args.spec && !args.preset) throw new UsageError('give --spec FILE or --preset NAME (see --list-presets)');
  }
  return args;
}

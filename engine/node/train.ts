/**
 * `npm run train`: argument handling and file IO around engine/model-spec's fit. Returns an exit code:
 * 0 done, 1 failed (bad files, bad spec, NaN loss), 2 usage error.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import {
  getPreset, inferShapes, lintSpec, measuresAccuracy, PRESETS, formatCount, resolveAugment, schedulerStepsPer, validateSpec, type ModelSpec,
} from '../../common/model-spec/index';
import { loadSafetensors, saveSafetensors } from '../io/index';
import type { Module } from '../nn/index';
import { manualSeed, Random } from '../random';
import {
  assertBuildable, buildModel, evaluate, fit, makeLoss, makeOptimizer, makeScheduler, makeTargetsOf, NaNLossError,
  prepareInput, specDatasets, specLoaders, type SpecDatasets,
} from '../model-spec/index';
import { listBackends, setBackend } from '../backend/backend';
import { chooseBackend, likelyFastestFirst, trainingStep } from '../backend/choose';
import { readMnist } from './mnist-files';
import { parseTrainArgs, USAGE, UsageError, type TrainArgs } from './train-args';

export interface TrainIO {
  out(line: string): void;
  err(line: string): void;
  clock?: () => number;
}

const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(2)}%`);
const num = (x: number | null) => (x === null ? '-' : x.toFixed(4));

function loadSpec(args: TrainArgs): ModelSpec {
  if (args.preset) {
    const spec = getPreset(args.preset);
    if (!spec) throw new UsageError(`unknown preset '${args.preset}' (presets: ${Object.keys(PRESETS).join(', ')})`);
    return spec;
  }
  const file = args.spec!;
  if (!existsSync(file)) throw new Error(`--spec ${file}: no such file`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`--spec ${file}: not valid JSON (${(err as Error).message})`);
  }
  const errors = validateSpec(json);
  if (errors.length > 0) throw new Error(`--spec ${file}: invalid model spec:\n${errors.map((e) => `  - ${e.message}`).join('\n')}`);
  return json as ModelSpec;
}

/** Applies --batch-size and --lr to a copy, and checks the result like any spec. */
function withOverrides(spec: ModelSpec, args: TrainArgs): ModelSpec {
  const out: ModelSpec = JSON.parse(JSON.stringify(spec));
  if (args.batchSize !== undefined) out.data.batchSize = args.batchSize;
  if (args.lr !== undefined) out.optimizer.params = { ...out.optimizer.params, lr: args.lr };
  if (args.shuffle === false) out.data.shuffle = false;
  assertBuildable(out);
  return out;
}

/**
 * Activates --backend: a registered backend by name, or with 'auto' the fastest for this model, timed over a few
 * steps of a copy of it on the first training batch (train-cli.ts registers what this machine runs). Returns the
 * line to print.
 */
function useBackend(wanted: string, spec: ModelSpec, train: SpecDatasets['train']): string {
  const available = listBackends();
  if (wanted !== 'auto') {
    if (!available.includes(wanted)) throw new UsageError(`--backend: no backend '${wanted}' here (available: auto, ${available.join(', ')})`);
    setBackend(wanted);
    return `backend ${wanted}`;
  }
  if (available.length === 1) {
    setBackend(available[0]);
    return `backend ${available[0]}`;
  }
  const size = Math.min(spec.data.batchSize, train.length);
  const [x, y] = train.getBatch(Int32Array.from({ length: size }, (_, i) => i));
  const choice = chooseBackend(likelyFastestFirst(available), () => {
    const model = buildModel(spec).train();
    const targetsOf = makeTargetsOf(spec);
    return trainingStep(model, makeLoss(spec), makeOptimizer(spec, model.parameters()), prepareInput(spec, x), targetsOf ? targetsOf(x, y) : y);
  });
  setBackend(choice.chosen);
  const figures = choice.figures.map((f) => `${f.backend} ${f.msPerStep === null ? `failed: ${f.error}` : `${f.msPerStep.toFixed(2)} ms`}`);
  return `backend ${choice.chosen} (auto; per step: ${figures.join(', ')})`;
}

function listPresets(io: TrainIO): void {
  for (const [name, spec] of Object.entries(PRESETS)) {
    const shapes = inferShapes(spec);
    io.out(`${name.padEnd(16)} ${formatCount(shapes.totalParams).padStart(8)} params  ${spec.description ?? ''}`);
  }
}

export function runTrain(argv: readonly string[], io: TrainIO): number {
  let args: TrainArgs;
  try {
    args = parseTrainArgs(argv);
  } catch (err) {
    io.err(`train: ${(err as Error).message}`);
    return 2;
  }
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  if (args.listPresets) {
    listPresets(io);
    return 0;
  }
  try {
    return train(args, io);
  } catch (err) {
    io.err(`train: ${(err as Error).message}`);
    return err instanceof UsageError ? 2 : 1;
  }
}

/** The model a run starts from: drawn by --seed, then --init's weights if given. --save-init writes exactly this. */
function initialModel(spec: ModelSpec, args: TrainArgs): Module {
  manualSeed(args.seed);
  const model = buildModel(spec);
  if (args.init) {
    if (!existsSync(args.init)) throw new Error(`--init ${args.init}: no such file`);
    try {
      model.loadStateDict(loadSafetensors(new Uint8Array(readFileSync(args.init))));
    } catch (err) {
      throw new Error(`--init ${args.init}: ${(err as Error).message}`);
    }
  }
  return model;
}

function saveWeights(file: string, model: Module, spec: ModelSpec): void {
  writeFileSync(file, saveSafetensors(model.stateDict(), { metadata: { format: 'pt', spec: spec.name ?? '' } }));
}

function train(args: TrainArgs, io: TrainIO): number {
  const spec = withOverrides(loadSpec(args), args);
  const info = (line: string) => (args.json ? io.err(line) : io.out(line));
  for (const w of lintSpec(spec)) io.err(`warning: ${w.message}`);
  // The app's trainer and the twin augment training batches (#15.2); this loop does not, and a setting quietly
  // ignored would train a different model than the spec says.
  if (resolveAugment(spec.data)) {
    throw new UsageError('the spec sets data.augment, which the app and its PyTorch twin apply but this CLI does not: train it in the app or with the twin, or remove data.augment');
  }
  if (args.saveInit) {
    // No data and no backend timing: the weights depend on the spec and the seed alone.
    saveWeights(args.saveInit, initialModel(spec, args), spec);
    info(`saved the initial weights (seed ${args.seed}) to ${args.saveInit}`);
    return 0;
  }

  const dataDir = args.data ?? `../shared/data/${spec.data.dataset}`;
  const arrays = readMnist(dataDir);
  if (args.testLimit) {
    const n = Math.min(args.testLimit, arrays.testImages.shape[0]);
    arrays.testImages = { ...arrays.testImages, shape: [n, 28, 28], data: arrays.testImages.data.subarray(0, n * 784) };
    arrays.testLabels = { ...arrays.testLabels, shape: [n], data: arrays.testLabels.data.subarray(0, n) };
  }
  // With --limit and no --val-size, hold out a sixth of the subset rather than failing on a 10,000 default.
  const limit = args.limit;
  const valSize = args.valSize ?? (limit ? Math.min(spec.data.validationSize, Math.floor(limit / 6)) : spec.data.validationSize);
  const sets = specDatasets(spec, arrays, { limit, validationSize: valSize });

  // Before the run's own seeding, so measuring (which builds a copy of the model) changes nothing of the run.
  info(useBackend(args.backend, spec, sets.train));

  const model = initialModel(spec, args);
  const lossFn = makeLoss(spec), targetsOf = makeTargetsOf(spec);
  const optimizer = makeOptimizer(spec, model.parameters());
  const loaders = specLoaders(spec, sets, new Random(args.seed + 1));
  const scheduler = makeScheduler(spec, optimizer, { epochs: args.epochs, batchesPerEpoch: loaders.train.length });
  const lossIsSum = spec.loss.params?.reduction === 'sum';
  // An autoencoder (data.target 'image') has no accuracy: its lines show the loss only, its JSON null for it.
  const accuracy = measuresAccuracy(spec);
  const acc = (a: number | null) => (accuracy ? ` acc ${pct(a)}` : '');

  info(`${spec.name ?? args.spec}: ${formatCount(model.numParameters())} parameters, ${spec.optimizer.type} lr ${optimizer.paramGroups[0].lr}, batch ${spec.data.batchSize}`);
  info(`data ${dataDir}: train ${formatCount(sets.train.length)}, validation ${formatCount(sets.validation?.length ?? 0)}, test ${formatCount(sets.test?.length ?? 0)}`);

  try {
    fit({
      model, lossFn, optimizer, scheduler, lossIsSum, accuracy, targetsOf,
      schedulerStepsPer: spec.scheduler ? schedulerStepsPer(spec.scheduler.type) : 'epoch',
      train: loaders.train,
      validation: loaders.validation,
      epochs: args.epochs,
      clock: io.clock,
      onBatch: args.logBatches
        ? (b) => (args.json ? io.out(JSON.stringify(b)) : io.out(`  epoch ${b.epoch} batch ${b.batch}/${b.batches} loss ${b.loss.toFixed(4)}`))
        : undefined,
      onEpoch: (s) => {
        if (args.json) io.out(JSON.stringify(s));
        else {
          io.out(`epoch ${s.epoch}/${args.epochs}  train loss ${num(s.trainLoss)}${acc(s.trainAcc)}  val loss ${num(s.valLoss)}${acc(s.valAcc)}  ` +
            `${s.seconds.toFixed(1)}s ${formatCount(Math.round(s.samplesPerSec))} samples/s`);
        }
      },
    });
  } catch (err) {
    if (err instanceof NaNLossError) {
      io.err(`train: ${err.message}`);
      return 1;
    }
    throw err;
  }
  if (loaders.test) {
    const test = evaluate(model, lossFn, loaders.test, { lossIsSum, accuracy, targetsOf });
    if (args.json) io.out(JSON.stringify({ testLoss: test.loss, testAcc: test.accuracy }));
    else io.out(`test loss ${num(test.loss)}${acc(test.accuracy)}`);
  }
  if (args.save) {
    saveWeights(args.save, model, spec);
    info(`saved ${args.save}`);
  }
  return 0;
}

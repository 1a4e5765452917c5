/**
 * PyTorch's "What is torch.nn really?" as the Learn tab's lesson: each step is one cell group of the tutorial,
 * written with the engine the way the tutorial writes it with torch, run on real MNIST by the engine host
 * (src-main/engine-host/lesson). A `TorchNnTutorial` is the notebook: it keeps what earlier steps made (the
 * weights, the last mini-batch `xb, yb`), so step 4 computes F.cross_entropy on exactly the weights step 3 trained.
 *
 * Differences from the tutorial, which the lesson explains beside the numbers:
 * - the tutorial sets no seed; the lesson calls manualSeed(0) where a step makes weights, so its numbers are the
 *   same on every run. The engine's generator is not torch's (engine/random.ts), so the weights, and the numbers,
 *   differ from the tutorial's page in their digits but not in their size;
 * - the data are MNIST's own IDX files, split as the tutorial's mnist.pkl.gz is (the first 50,000 training images
 *   to train, the last 10,000 to validate), pixels divided by 255.
 *
 * The training loops call `loop.phase(...)` at each part of the loop (select a mini-batch, forward, loss, backward,
 * step, zero_grad), so the lesson can show which part is running, and `await loop.next()` after each batch, where
 * the engine host yields to its event loop and a stop request ends the loop.
 */
import type { LessonPrint, LessonResult, LessonStepId, LoopPhase, LoopPosition } from '../../common/lesson-protocol';
import { noGrad } from '../autograd';
import { endStep } from '../backend/backend';
import { imagesToTensor, labelsToTensor } from '../data/transforms';
import { DataLoader } from '../data/dataloader';
import { TensorDataset } from '../data/dataset';
import { Module } from '../nn/module';
import { Linear } from '../nn/linear';
import { Conv2d } from '../nn/conv';
import { ReLU } from '../nn/activation';
import { AvgPool2d } from '../nn/pooling';
import { Sequential } from '../nn/container';
import { crossEntropy } from '../nn/loss';
import { avgPool2d } from '../ops/pool';
import { relu } from '../ops/activation';
import { SGD } from '../optim/sgd';
import { manualSeed, Random } from '../random';
import { randn, zeros, type Tensor } from '../tensor';

export interface TutorialData {
  /** [N, 784] float32 in [0, 1] */
  xTrain: Tensor;
  /** [N] int32 */
  yTrain: Tensor;
  xValid: Tensor;
  yValid: Tensor;
}

/** The tutorial's split of MNIST's training file: the first `trainCount` images to train, the rest to validate. */
export function tutorialData(images: Uint8Array, labels: Uint8Array, count: number, trainCount = 50_000): TutorialData {
  if (trainCount >= count) throw new Error(`the lesson needs more than ${trainCount} training images, got ${count}`);
  const part = (from: number, to: number) => ({
    x: imagesToTensor({ shape: [to - from, 28, 28], data: images.subarray(from * 784, to * 784) }, { normalize: 'scale', layout: 'flat' }),
    y: labelsToTensor({ shape: [to - from], data: labels.subarray(from, to) }),
  });
  const train = part(0, trainCount), valid = part(trainCount, count);
  return { xTrain: train.x, yTrain: train.y, xValid: valid.x, yValid: valid.y };
}

export interface LessonHooks {
  /** A part of the training loop starts (synchronous and frequent: the engine host throttles what it sends). */
  onPhase?(phase: LoopPhase, at: LoopPosition, lastLoss: number | null): void;
  /** Awaited after every batch: the engine host yields here, so the learner's stop can arrive. */
  afterBatch?(): Promise<void>;
  /** True once the learner asked to stop: the loop ends after the batch in hand. */
  stopRequested?(): boolean;
}

export interface LessonOptions {
  /** The tutorial's: 2. */
  epochs?: number;
  /**
   * At most this many batches per pass, training and validation alike (tests); the default is the whole epoch and
   * the whole validation set, as in the tutorial.
   */
  maxBatches?: number;
}

/** The hyper-parameters of the tutorial. */
export const TUTORIAL = { bs: 64, lr: 0.5, epochs: 2, cnnLr: 0.1, momentum: 0.9, seed: 0 } as const;

/** The steps each step needs run before it (their state is the notebook's). */
/** The steps with a training loop: the ones a `maxBatches` option cuts short. */
const TRAINS: readonly LessonStepId[] = ['training-loop', 'nn-module', 'optim', 'data-loader', 'cnn'];

const NEEDS: Partial<Record<LessonStepId, LessonStepId[]>> = {
  'training-loop': ['from-scratch'],
  'cross-entropy': ['from-scratch', 'training-loop'],
};

// ---- the tutorial's hand-written functions ----

/** log_softmax(x) = x − log Σ exp(x), written out as the tutorial does (no max subtracted). */
export function logSoftmax(x: Tensor): Tensor {
  return x.sub(x.exp().sum(-1).log().unsqueeze(-1));
}

/** nll(input, target) = −input[range(n), target].mean(): each row's log-probability of its true class. */
export function nll(input: Tensor, target: Tensor): Tensor {
  return input.gather(1, target.unsqueeze(1)).mean().neg();
}

/** accuracy(out, yb) = (argmax(out, dim=1) == yb).float().mean() */
export function accuracy(out: Tensor, yb: Tensor): number {
  return out.argmax(1).eq(yb).float().mean().item();
}

/** x_train[start:end] */
function rows(t: Tensor, start: number, end: number): Tensor {
  return t.slice(0, start, Math.min(end, t.shape[0]));
}

// ---- the tutorial's models ----

/** Mnist_Logistic with nn.Parameter: `self.weights = nn.Parameter(torch.randn(784, 10) / math.sqrt(784))`. */
export class MnistLogisticParams extends Module {
  readonly weights = this.registerParameter('weights', randn([784, 10]).div(Math.sqrt(784)).detach());
  readonly bias = this.registerParameter('bias', zeros([10]));

  forward(xb: Tensor): Tensor {
    return xb.matmul(this.weights).add(this.bias);
  }
}

/** Mnist_Logistic with nn.Linear: `self.lin = nn.Linear(784, 10)`. */
export class MnistLogistic extends Module {
  readonly lin = this.registerModule('lin', new Linear(784, 10));

  forward(xb: Tensor): Tensor {
    return this.lin.forward(xb);
  }
}

/** Mnist_CNN: three stride-2 convolutions with ReLU, then a 4×4 average pool to 10 scores. */
export class MnistCNN extends Module {
  readonly conv1 = this.registerModule('conv1', new Conv2d(1, 16, 3, { stride: 2, padding: 1 }));
  readonly conv2 = this.registerModule('conv2', new Conv2d(16, 16, 3, { stride: 2, padding: 1 }));
  readonly conv3 = this.registerModule('conv3', new Conv2d(16, 10, 3, { stride: 2, padding: 1 }));

  forward(xb: Tensor): Tensor {
    xb = xb.view([-1, 1, 28, 28]);
    xb = relu(this.conv1.forward(xb));
    xb = relu(this.conv2.forward(xb));
    xb = relu(this.conv3.forward(xb));
    xb = avgPool2d(xb, { kernelSize: 4 });
    return xb.view([-1, xb.shape[1]]);
  }
}

/** The tutorial's `Lambda`: a module from a function, so nn.Sequential can hold the reshapes. */
export class Lambda extends Module {
  constructor(private readonly func: (x: Tensor) => Tensor) {
    super();
  }

  forward(x: Tensor): Tensor {
    return this.func(x);
  }
}

const preprocess = (x: Tensor) => x.view([-1, 1, 28, 28]);

/** The CNN as nn.Sequential, with the tutorial's Lambda layers for the reshapes. */
export function sequentialCNN(): Sequential {
  return new Sequential(
    new Lambda(preprocess),
    new Conv2d(1, 16, 3, { stride: 2, padding: 1 }), new ReLU(),
    new Conv2d(16, 16, 3, { stride: 2, padding: 1 }), new ReLU(),
    new Conv2d(16, 10, 3, { stride: 2, padding: 1 }), new ReLU(),
    new AvgPool2d(4),
    new Lambda((x) => x.view([x.shape[0], -1])),
  );
}

// ---- the loop's bookkeeping ----

/** Where a step's training loop is, what it tells the hooks, and whether it should go on. */
class Loop {
  epoch = 0;
  batch = 0;
  lastLoss: number | null = null;
  stopped = false;

  constructor(private readonly hooks: LessonHooks, readonly epochs: number, readonly batches: number) {}

  phase(phase: LoopPhase): void {
    this.hooks.onPhase?.(phase, { epoch: this.epoch, epochs: this.epochs, batch: this.batch + 1, batches: this.batches }, this.lastLoss);
  }

  /** After a batch: yields, and says whether the epoch goes on. */
  async next(loss: Tensor): Promise<boolean> {
    this.lastLoss = loss.item();
    this.batch++;
    await this.hooks.afterBatch?.();
    if (this.hooks.stopRequested?.()) this.stopped = true;
    return !this.stopped && this.batch < this.batches;
  }

  /** Starts epoch `epoch`; false once the learner has stopped. */
  startEpoch(epoch: number): boolean {
    this.epoch = epoch;
    this.batch = 0;
    return !this.stopped;
  }
}

// ---- the notebook ----

type Model = (xb: Tensor) => Tensor;

export class TorchNnTutorial {
  // What earlier steps left behind, as the notebook's globals.
  #weights: Tensor | null = null;
  #bias: Tensor | null = null;
  #xb: Tensor | null = null;
  #yb: Tensor | null = null;
  readonly #done = new Set<LessonStepId>();
  /** The `maxBatches` that cut the from-scratch weights' training (step 4 reads them), or null. */
  #scratchCut: number | null = null;

  constructor(readonly data: TutorialData) {}

  /** Runs `step` (and any earlier step it needs that has not run); the prints are the step's own. */
  async run(step: LessonStepId, hooks: LessonHooks = {}, options: LessonOptions = {}): Promise<LessonResult> {
    const started = Date.now();
    const ranFirst: LessonStepId[] = [];
    for (const needed of NEEDS[step] ?? []) {
      if (this.#done.has(needed)) continue;
      await this.#step(needed, hooks, options);
      ranFirst.push(needed);
    }
    const { prints, samples, stopped = false } = await this.#step(step, hooks, options);
    if (step === 'training-loop' || ranFirst.includes('training-loop')) this.#scratchCut = options.maxBatches ?? null;
    const trained = [step, ...ranFirst].some((s) => TRAINS.includes(s));
    return {
      step, prints, ...(samples ? { samples } : {}), ranFirst, stopped,
      // Step 4 computes on step 3's weights: cut if they were.
      maxBatches: trained ? options.maxBatches ?? null : step === 'cross-entropy' ? this.#scratchCut : null,
      seconds: (Date.now() - started) / 1000,
    };
  }

  async #step(step: LessonStepId, hooks: LessonHooks, options: LessonOptions): Promise<StepOutput> {
    const out = await STEPS[step](this, hooks, options);
    // A step stopped half-way has not made the state the next one needs.
    if (!out.stopped) this.#done.add(step);
    else this.#done.delete(step);
    return out;
  }

  /** Steps 2–4's globals (from-scratch weights, the last mini-batch). */
  get scratch() {
    return { weights: this.#weights, bias: this.#bias, xb: this.#xb, yb: this.#yb };
  }

  setScratch(weights: Tensor, bias: Tensor): void {
    this.#weights = weights;
    this.#bias = bias;
  }

  /** The notebook's `xb, yb`: whatever mini-batch was selected last. */
  setBatch(xb: Tensor, yb: Tensor): void {
    this.#xb = xb;
    this.#yb = yb;
  }

  /** `xb, yb` as the notebook holds them; before any loop, the first mini-batch. */
  batch(): [Tensor, Tensor] {
    if (!this.#xb || !this.#yb) this.setBatch(rows(this.data.xTrain, 0, TUTORIAL.bs), rows(this.data.yTrain, 0, TUTORIAL.bs));
    return [this.#xb!, this.#yb!];
  }
}

interface StepOutput {
  prints: LessonPrint[];
  samples?: LessonResult['samples'];
  stopped?: boolean;
}

const tensorPrint = (id: string, code: string, value: number): LessonPrint => ({ id, code, values: [value], format: 'tensor' });

/** Batches per epoch for `n` rows at the tutorial's batch size, cut to `maxBatches`. */
function batchesFor(n: number, options: LessonOptions): number {
  const all = Math.floor((n - 1) / TUTORIAL.bs) + 1;
  return options.maxBatches ? Math.min(all, options.maxBatches) : all;
}

/** The loss of `model` on the notebook's xb, yb, without recording a graph. */
function lossOn(nb: TorchNnTutorial, model: Model, lossFunc: (p: Tensor, y: Tensor) => Tensor): number {
  const [xb, yb] = nb.batch();
  return noGrad(() => lossFunc(model(xb), yb).item());
}

/**
 * The tutorial's fit() for a Module with the update written by hand: `p -= p.grad * lr` under no_grad, then
 * model.zero_grad(). Used by step 5 for both versions of Mnist_Logistic, as the tutorial calls the same fit().
 */
async function fitByHand(nb: TorchNnTutorial, model: Module, loop: Loop): Promise<void> {
  const { xTrain, yTrain } = nb.data;
  const { bs, lr } = TUTORIAL;
  for (let epoch = 0; epoch < loop.epochs && loop.startEpoch(epoch); epoch++) {
    for (let i = 0; ; i++) {
      endStep();
      loop.phase('batch');
      const xb = rows(xTrain, i * bs, i * bs + bs), yb = rows(yTrain, i * bs, i * bs + bs);
      nb.setBatch(xb, yb);
      loop.phase('forward');
      const pred = model.forward(xb);
      loop.phase('loss');
      const loss = crossEntropy(pred, yb);
      loop.phase('backward');
      loss.backward();
      loop.phase('step');
      noGrad(() => {
        for (const p of model.parameters()) {
          const values = p.data, grad = p.grad!.data;
          for (let k = 0; k < values.length; k++) values[k] -= grad[k] * lr;
        }
        loop.phase('zero_grad');
        model.zeroGrad();
      });
      if (!(await loop.next(loss))) break;
    }
  }
}

/** Steps 7 and 8's fit(): DataLoader batches, opt.step(), and a validation pass in eval mode after every epoch. */
async function fitWithLoaders(
  nb: TorchNnTutorial, model: Module, opt: SGD, loop: Loop, trainDl: DataLoader, validDl: DataLoader, name: string,
  maxBatches = Infinity,
): Promise<LessonPrint[]> {
  const prints: LessonPrint[] = [];
  for (let epoch = 0; epoch < loop.epochs && loop.startEpoch(epoch); epoch++) {
    model.train();
    let more = true;
    const batches = trainDl[Symbol.iterator]();
    while (more) {
      endStep();
      loop.phase('batch');
      const next = batches.next();
      if (next.done) break;
      const [xb, yb] = next.value;
      nb.setBatch(xb, yb);
      loop.phase('forward');
      const pred = model.forward(xb);
      loop.phase('loss');
      const loss = crossEntropy(pred, yb);
      loop.phase('backward');
      loss.backward();
      loop.phase('step');
      opt.step();
      loop.phase('zero_grad');
      opt.zeroGrad();
      more = await loop.next(loss);
    }
    if (loop.stopped && loop.batch === 0) break;
    model.eval();
    const { loss, acc } = noGrad(() => {
      // valid_loss = sum(loss_func(model(xb), yb) for xb, yb in valid_dl): a mean of batch means, as printed
      let validLoss = 0, correct = 0, count = 0, batches = 0;
      for (const [xb, yb] of validDl) {
        if (batches++ >= maxBatches) break;
        endStep();
        const out = model.forward(xb);
        validLoss += crossEntropy(out, yb).item();
        correct += accuracy(out, yb) * yb.shape[0];
        count += yb.shape[0];
      }
      return { loss: validLoss / Math.min(validDl.length, maxBatches), acc: correct / count };
    });
    prints.push({ id: `${name}-valid-${epoch}`, code: `${epoch}, valid_loss / len(valid_dl)`, values: [epoch, loss], format: 'row' });
    prints.push(tensorPrint(`${name}-valid-accuracy-${epoch}`, 'accuracy(model(x_valid), y_valid)', acc));
  }
  return prints;
}

function loaders(nb: TorchNnTutorial): { trainDl: DataLoader; validDl: DataLoader } {
  const { xTrain, yTrain, xValid, yValid } = nb.data;
  const trainDs = new TensorDataset(xTrain, yTrain);
  const validDs = new TensorDataset(xValid, yValid);
  return {
    // The shuffle has its own generator, seeded as the lesson's weights are: the same batches on every run.
    trainDl: new DataLoader(trainDs, { batchSize: TUTORIAL.bs, shuffle: true, generator: new Random(TUTORIAL.seed) }),
    validDl: new DataLoader(validDs, { batchSize: TUTORIAL.bs * 2 }),
  };
}

// ---- the steps ----

type Step = (nb: TorchNnTutorial, hooks: LessonHooks, options: LessonOptions) => Promise<StepOutput>;

const STEPS: Record<LessonStepId, Step> = {
  /** 1. The data: x_train is (50000, 784), y_train holds 0–9; a few images shown. */
  async data(nb) {
    const { xTrain, yTrain, xValid } = nb.data;
    const labels = yTrain.data;
    let min = Infinity, max = -Infinity;
    for (const y of labels) [min, max] = [Math.min(min, y), Math.max(max, y)];
    const shown = 8;
    const pixels = xTrain.data;
    const images = Array.from({ length: shown }, (_, i) => Array.from(pixels.subarray(i * 784, (i + 1) * 784), (v) => Math.round(v * 255)));
    return {
      prints: [
        { id: 'x-train-shape', code: 'x_train.shape', values: [...xTrain.shape], format: 'shape' },
        { id: 'y-train-range', code: 'y_train.min(), y_train.max()', values: [min, max], format: 'ints' },
        { id: 'x-valid-shape', code: 'x_valid.shape', values: [...xValid.shape], format: 'shape' },
      ],
      samples: { images, labels: Array.from(labels.subarray(0, shown)) },
    };
  },

  /** 2. From scratch: randn/√784 weights with requires_grad, log_softmax, nll and accuracy, before any training. */
  async 'from-scratch'(nb, hooks) {
    manualSeed(TUTORIAL.seed);
    const weights = randn([784, 10]).div(Math.sqrt(784)).detach().requiresGrad_();
    const bias = zeros([10], { requiresGrad: true });
    nb.setScratch(weights, bias);
    const model: Model = (xb) => logSoftmax(xb.matmul(weights).add(bias));
    const lossFunc = nll;

    const loop = new Loop(hooks, 1, 1);
    loop.phase('batch');
    const xb = rows(nb.data.xTrain, 0, TUTORIAL.bs), yb = rows(nb.data.yTrain, 0, TUTORIAL.bs);
    nb.setBatch(xb, yb);
    loop.phase('forward');
    const preds = model(xb);
    loop.phase('loss');
    const loss = lossFunc(preds, yb).item();
    return {
      prints: [
        { id: 'preds-0', code: 'preds[0]', values: Array.from(preds.slice(0, 0, 1).data), format: 'row' },
        { id: 'preds-shape', code: 'preds.shape', values: [...preds.shape], format: 'shape' },
        tensorPrint('loss-before', 'loss_func(preds, yb)', loss),
        { id: 'ln-10', code: 'math.log(10)', values: [Math.log(10)], format: 'float' },
        tensorPrint('accuracy-before', 'accuracy(preds, yb)', accuracy(preds, yb)),
      ],
    };
  },

  /** 3. The training loop by hand: backward, the update under no_grad, zero_grad; then the loss on the last xb. */
  async 'training-loop'(nb, hooks, options) {
    const { weights, bias } = nb.scratch;
    const model: Model = (xb) => logSoftmax(xb.matmul(weights!).add(bias!));
    const lossFunc = nll;
    const { xTrain, yTrain } = nb.data;
    const { bs, lr } = TUTORIAL;
    const n = xTrain.shape[0];
    const loop = new Loop(hooks, options.epochs ?? TUTORIAL.epochs, batchesFor(n, options));

    for (let epoch = 0; epoch < loop.epochs && loop.startEpoch(epoch); epoch++) {
      for (let i = 0; i < loop.batches; i++) {
        endStep();
        loop.phase('batch');
        const startI = i * bs, endI = startI + bs;
        const xb = rows(xTrain, startI, endI), yb = rows(yTrain, startI, endI);
        nb.setBatch(xb, yb);
        loop.phase('forward');
        const pred = model(xb);
        loop.phase('loss');
        const loss = lossFunc(pred, yb);
        loop.phase('backward');
        loss.backward();
        loop.phase('step');
        noGrad(() => {
          // weights -= weights.grad * lr; bias -= bias.grad * lr
          for (const p of [weights!, bias!]) {
            const values = p.data, grad = p.grad!.data;
            for (let k = 0; k < values.length; k++) values[k] -= grad[k] * lr;
          }
          loop.phase('zero_grad');
          // weights.grad.zero_(); bias.grad.zero_()
          weights!.grad!.data.fill(0);
          bias!.grad!.data.fill(0);
        });
        if (!(await loop.next(loss))) break;
      }
    }
    const [xb, yb] = nb.batch();
    const out = noGrad(() => model(xb));
    return {
      prints: [
        tensorPrint('loss-after', 'loss_func(model(xb), yb)', noGrad(() => lossFunc(out, yb).item())),
        tensorPrint('accuracy-after', 'accuracy(model(xb), yb)', accuracy(out, yb)),
        { id: 'xb-shape', code: 'xb.shape', values: [...xb.shape], format: 'shape' },
      ],
      stopped: loop.stopped,
    };
  },

  /** 4. F.cross_entropy replaces log_softmax + nll: the same weights give the same loss. */
  async 'cross-entropy'(nb) {
    const { weights, bias } = nb.scratch;
    const [xb, yb] = nb.batch();
    const lossFunc = crossEntropy;
    const model: Model = (x) => x.matmul(weights!).add(bias!); // no log_softmax: cross_entropy applies it
    const out = noGrad(() => model(xb));
    const loss = noGrad(() => lossFunc(out, yb).item());
    const byHand = noGrad(() => nll(logSoftmax(out), yb).item());
    return {
      prints: [
        tensorPrint('loss-after', 'loss_func(model(xb), yb)', loss),
        tensorPrint('accuracy-after', 'accuracy(model(xb), yb)', accuracy(out, yb)),
        tensorPrint('loss-by-hand', 'nll(log_softmax(model(xb)), yb)', byHand),
        tensorPrint('difference', 'loss − nll(log_softmax(…))', loss - byHand),
      ],
    };
  },

  /** 5. nn.Module with nn.Parameter, then nn.Linear: the same fit(), the parameters found by model.parameters(). */
  async 'nn-module'(nb, hooks, options) {
    const prints: LessonPrint[] = [];
    let stopped = false;
    for (const [name, make] of [['parameter', () => new MnistLogisticParams()], ['linear', () => new MnistLogistic()]] as const) {
      manualSeed(TUTORIAL.seed);
      const model = make();
      prints.push(tensorPrint(`${name}-loss-before`, 'loss_func(model(xb), yb)', lossOn(nb, (x) => model.forward(x), crossEntropy)));
      const loop = new Loop(hooks, options.epochs ?? TUTORIAL.epochs, batchesFor(nb.data.xTrain.shape[0], options));
      await fitByHand(nb, model, loop);
      prints.push(tensorPrint(`${name}-loss-after`, 'fit(); loss_func(model(xb), yb)', lossOn(nb, (x) => model.forward(x), crossEntropy)));
      if ((stopped = loop.stopped)) break;
    }
    return { prints, stopped };
  },

  /** 6. optim.SGD replaces the hand-written update: opt.step(); opt.zero_grad(). */
  async optim(nb, hooks, options) {
    manualSeed(TUTORIAL.seed);
    const model = new MnistLogistic();
    const opt = new SGD(model.parameters(), { lr: TUTORIAL.lr });
    const before = lossOn(nb, (x) => model.forward(x), crossEntropy);
    const { xTrain, yTrain } = nb.data;
    const { bs } = TUTORIAL;
    const loop = new Loop(hooks, options.epochs ?? TUTORIAL.epochs, batchesFor(xTrain.shape[0], options));
    for (let epoch = 0; epoch < loop.epochs && loop.startEpoch(epoch); epoch++) {
      for (let i = 0; ; i++) {
        endStep();
        loop.phase('batch');
        const xb = rows(xTrain, i * bs, i * bs + bs), yb = rows(yTrain, i * bs, i * bs + bs);
        nb.setBatch(xb, yb);
        loop.phase('forward');
        const pred = model.forward(xb);
        loop.phase('loss');
        const loss = crossEntropy(pred, yb);
        loop.phase('backward');
        loss.backward();
        loop.phase('step');
        opt.step();
        loop.phase('zero_grad');
        opt.zeroGrad();
        if (!(await loop.next(loss))) break;
      }
    }
    return {
      prints: [
        tensorPrint('loss-before', 'loss_func(model(xb), yb)', before),
        tensorPrint('loss-after', 'loss_func(model(xb), yb)', lossOn(nb, (x) => model.forward(x), crossEntropy)),
      ],
      stopped: loop.stopped,
    };
  },

  /** 7. TensorDataset, DataLoader with shuffle, and a validation set evaluated in model.eval() after every epoch. */
  async 'data-loader'(nb, hooks, options) {
    manualSeed(TUTORIAL.seed);
    const model = new MnistLogistic();
    const opt = new SGD(model.parameters(), { lr: TUTORIAL.lr });
    const { trainDl, validDl } = loaders(nb);
    const loop = new Loop(hooks, options.epochs ?? TUTORIAL.epochs, Math.min(trainDl.length, options.maxBatches ?? Infinity));
    const prints = await fitWithLoaders(nb, model, opt, loop, trainDl, validDl, 'logistic', options.maxBatches);
    return { prints, stopped: loop.stopped };
  },

  /** 8. Mnist_CNN with SGD and momentum, then the same network as nn.Sequential. */
  async cnn(nb, hooks, options) {
    const prints: LessonPrint[] = [];
    let stopped = false;
    for (const [name, make] of [['cnn', () => new MnistCNN()], ['sequential', sequentialCNN]] as const) {
      manualSeed(TUTORIAL.seed);
      const model: Module = make();
      const opt = new SGD(model.parameters(), { lr: TUTORIAL.cnnLr, momentum: TUTORIAL.momentum });
      const { trainDl, validDl } = loaders(nb);
      const loop = new Loop(hooks, options.epochs ?? TUTORIAL.epochs, Math.min(trainDl.length, options.maxBatches ?? Infinity));
      prints.push(...(await fitWithLoaders(nb, model, opt, loop, trainDl, validDl, name, options.maxBatches)));
      if ((stopped = loop.stopped)) break;
    }
    return { prints, stopped };
  },
};

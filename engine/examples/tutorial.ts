/**
 * PyTorch's "What is torch.nn really?" (Jeremy Howard), redone step by step with LayerLab's engine.
 * engine/README.md quotes this file and engine/examples/tutorial.test.ts runs it on MNIST.
 *
 * Each step trains the same logistic regression (784 → 10) a little more idiomatically than the one before, and
 * returns the loss on the first batch before and after training, as the tutorial prints them.
 */
import { data, matmul, nn, noGrad, optim, randn, Random, manualSeed, zeros, type Tensor } from '../index';

export interface MnistTensors {
  /** [N, 784] float32 in [0, 1] */
  xTrain: Tensor;
  /** [N] int32 */
  yTrain: Tensor;
  xValid: Tensor;
  yValid: Tensor;
}

export interface StepResult {
  before: number;
  after: number;
}

export interface TutorialOptions {
  lr?: number;
  batchSize?: number;
  epochs?: number;
}

// ---- 1. Neural net from scratch: tensors, a hand-written log_softmax and negative log-likelihood ----

/** log_softmax(x) = x − log Σ exp(x), written out as the tutorial does. */
function logSoftmax(x: Tensor): Tensor {
  return x.sub(x.exp().sum(-1).log().unsqueeze(-1));
}

/** nll(input, target) = −mean(input[i, target[i]]): pick each row's log-probability of the true class. */
function nll(input: Tensor, target: Tensor): Tensor {
  return input.gather(1, target.unsqueeze(1)).mean().neg();
}

/** The rows [start, end) of a tensor: xTrain[i*bs : i*bs+bs] in Python. */
function rows(t: Tensor, start: number, end: number): Tensor {
  return t.slice(0, start, Math.min(end, t.shape[0]));
}

export function fromScratch(d: MnistTensors, { lr = 0.5, batchSize = 64, epochs = 1 }: TutorialOptions = {}): StepResult {
  manualSeed(0);
  // Xavier initialisation: randn / √784. requiresGrad after the division, so the weights stay a leaf.
  const weights = randn([784, 10]).div(Math.sqrt(784)).detach().requiresGrad_();
  const bias = zeros([10], { requiresGrad: true });
  const model = (xb: Tensor) => logSoftmax(matmul(xb, weights).add(bias));
  const lossFunc = nll;

  const xb = rows(d.xTrain, 0, batchSize), yb = rows(d.yTrain, 0, batchSize);
  const before = lossFunc(model(xb), yb).item();
  const n = d.xTrain.shape[0];
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = 0; i < Math.ceil(n / batchSize); i++) {
      const start = i * batchSize;
      const loss = lossFunc(model(rows(d.xTrain, start, start + batchSize)), rows(d.yTrain, start, start + batchSize));
      loss.backward();
      noGrad(() => {
        // weights -= weights.grad * lr; weights.grad.zero_()
        for (const p of [weights, bias]) {
          const values = p.data, grad = p.grad!.data;
          for (let k = 0; k < values.length; k++) values[k] -= grad[k] * lr;
          grad.fill(0);
        }
      });
    }
  }
  return { before, after: lossFunc(model(xb), yb).item() };
}

// ---- 2. Using torch.nn.functional: F.cross_entropy = log_softmax + nll_loss in one call ----

export function withCrossEntropy(d: MnistTensors, { lr = 0.5, batchSize = 64, epochs = 1 }: TutorialOptions = {}): StepResult {
  manualSeed(0);
  const weights = randn([784, 10]).div(Math.sqrt(784)).detach().requiresGrad_();
  const bias = zeros([10], { requiresGrad: true });
  const lossFunc = nn.crossEntropy;
  const model = (xb: Tensor) => matmul(xb, weights).add(bias); // no log_softmax: cross_entropy applies it

  const xb = rows(d.xTrain, 0, batchSize), yb = rows(d.yTrain, 0, batchSize);
  const before = lossFunc(model(xb), yb).item();
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let start = 0; start < d.xTrain.shape[0]; start += batchSize) {
      const loss = lossFunc(model(rows(d.xTrain, start, start + batchSize)), rows(d.yTrain, start, start + batchSize));
      loss.backward();
      noGrad(() => {
        for (const p of [weights, bias]) {
          const values = p.data, grad = p.grad!.data;
          for (let k = 0; k < values.length; k++) values[k] -= grad[k] * lr;
          grad.fill(0);
        }
      });
    }
  }
  return { before, after: lossFunc(model(xb), yb).item() };
}

// ---- 3. Refactor using nn.Module: the parameters live in a class, model.parameters() finds them ----

class MnistLogistic extends nn.Module {
  readonly weights = this.registerParameter('weights', randn([784, 10]).div(Math.sqrt(784)).detach());
  readonly bias = this.registerParameter('bias', zeros([10]));

  forward(xb: Tensor): Tensor {
    return matmul(xb, this.weights).add(this.bias);
  }
}

export function withModule(d: MnistTensors, { lr = 0.5, batchSize = 64, epochs = 1 }: TutorialOptions = {}): StepResult {
  manualSeed(0);
  const model = new MnistLogistic();
  const lossFunc = nn.crossEntropy;
  const xb = rows(d.xTrain, 0, batchSize), yb = rows(d.yTrain, 0, batchSize);
  const before = lossFunc(model.forward(xb), yb).item();
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let start = 0; start < d.xTrain.shape[0]; start += batchSize) {
      const loss = lossFunc(model.forward(rows(d.xTrain, start, start + batchSize)), rows(d.yTrain, start, start + batchSize));
      loss.backward();
      noGrad(() => {
        for (const p of model.parameters()) {
          const values = p.data, grad = p.grad!.data;
          for (let k = 0; k < values.length; k++) values[k] -= grad[k] * lr;
        }
        model.zeroGrad();
      });
    }
  }
  return { before, after: lossFunc(model.forward(xb), yb).item() };
}

// ---- 4–7. nn.Linear, optim, TensorDataset, DataLoader, and a validation set ----

/** The tutorial's Mnist_Logistic after "Refactor using nn.Linear": the layer owns weight and bias. */
class MnistLinear extends nn.Module {
  readonly lin = this.registerModule('lin', new nn.Linear(784, 10));

  forward(xb: Tensor): Tensor {
    return this.lin.forward(xb);
  }
}

export interface FitResult extends StepResult {
  /** Validation loss after each epoch, as the tutorial's fit() prints. */
  validLosses: number[];
}

export function withDataLoader(d: MnistTensors, { lr = 0.5, batchSize = 64, epochs = 2 }: TutorialOptions = {}): FitResult {
  manualSeed(0);
  const model = new MnistLinear();
  const opt = new optim.SGD(model.parameters(), { lr });
  const lossFunc = nn.crossEntropy;

  const trainDs = new data.TensorDataset(d.xTrain, d.yTrain);
  const trainDl = new data.DataLoader(trainDs, { batchSize, shuffle: true, generator: new Random(1) });
  const validDl = new data.DataLoader(new data.TensorDataset(d.xValid, d.yValid), { batchSize: batchSize * 2 });

  const [xb, yb] = trainDs.getBatch(Int32Array.from({ length: batchSize }, (_, i) => i));
  const before = lossFunc(model.forward(xb), yb).item();
  const validLosses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    model.train();
    for (const [xb, yb] of trainDl) {
      const loss = lossFunc(model.forward(xb), yb);
      loss.backward();
      opt.step();
      opt.zeroGrad();
    }
    model.eval();
    noGrad(() => {
      let total = 0, count = 0;
      for (const [xb, yb] of validDl) {
        total += lossFunc(model.forward(xb), yb).item() * yb.shape[0];
        count += yb.shape[0];
      }
      validLosses.push(total / count);
    });
  }
  return { before, after: lossFunc(model.forward(xb), yb).item(), validLosses };
}

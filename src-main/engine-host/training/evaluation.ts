/**
 * Evaluation and prediction for a trained model: loss and accuracy over the validation or test set, the confusion
 * matrix (its diagonal over the sample count is the accuracy, by construction: both come from the same argmax),
 * per-class accuracy, the most confidently wrong examples, every example's prediction (kept on the run for
 * `run-examples`), and one image's probabilities with, optionally, every layer's activation.
 */
import type { EvaluatedExample, Evaluation, LayerActivation, WrongExample } from '../../../common/training-protocol';
import type { ModelSpec } from '../../../common/model-spec/types';
import { data as engineData, endStep, noGrad, spec as engineSpec, Tensor, type nn, type train } from '../../../engine/index';

const { batchIndices } = engineData;
const { makeTargetsOf, prepareInput } = engineSpec;
type Subset<T extends [Tensor, Tensor]> = engineData.Subset<T>;
type Module = nn.Module;
type LossFn = train.LossFn;
import { nodeById, outputId } from '../../../common/model-spec/graph';
import { measuresAccuracy } from '../../../common/model-spec/target';
import { EvaluatedExamples, topClasses } from './examples';
import { layerOutputs } from './inside';
import type { Run } from './run';
import { EngineTextError, engineText } from '../../../common/engine-text';

const WRONG_EXAMPLES = 16;
const MAX_ACTIVATION_VALUES = 65_536;

/** How to turn the model's outputs into probabilities, from its last layer. */
function probabilityKind(spec: ModelSpec): 'softmax' | 'exp' | 'identity' | 'normalize' {
  const id = outputId(spec);
  const op = id ? nodeById(spec).get(id)?.op : undefined;
  if (op === 'Softmax') return 'identity';
  if (op === 'LogSoftmax') return 'exp';
  if (op === 'Sigmoid') return 'normalize';
  return 'softmax';
}

/** Row-wise probabilities of an [N, C] output, in float64. */
export function probabilities(spec: ModelSpec, output: Tensor): Float64Array[] {
  const [n, c] = output.shape;
  const data = output.data;
  const kind = probabilityKind(spec);
  const rows: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const row = new Float64Array(c);
    for (let j = 0; j < c; j++) row[j] = data[i * c + j];
    if (kind === 'exp') for (let j = 0; j < c; j++) row[j] = Math.exp(row[j]);
    if (kind === 'softmax') {
      const max = Math.max(...row);
      for (let j = 0; j < c; j++) row[j] = Math.exp(row[j] - max);
    }
    if (kind !== 'identity') {
      const sum = row.reduce((a, b) => a + b, 0);
      if (sum > 0) for (let j = 0; j < c; j++) row[j] /= sum;
    }
    rows.push(row);
  }
  return rows;
}

export function argmaxRow(row: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
  return best;
}

export interface EvaluateInput {
  model: Module;
  spec: ModelSpec;
  lossFn: LossFn;
  lossIsSum: boolean;
  split: 'validation' | 'test';
  dataset: Subset<[Tensor, Tensor]> | engineData.ByteImageDataset;
  classes: number;
  /** When given, receives every example's prediction, in evaluation order. */
  examples?: EvaluatedExample[];
}

export function evaluateDetailed(input: EvaluateInput): Evaluation {
  const { model, spec, lossFn, dataset, classes } = input;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const wrong: WrongExample[] = [];
  const sourceIndex = (i: number) => ('indices' in dataset ? dataset.indices[i] : i);
  let lossSum = 0, samples = 0, correct = 0;
  const classify = measuresAccuracy(spec), targetsOf = makeTargetsOf(spec);
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (const idx of batchIndices(dataset.length, { batchSize: 256 })) {
        endStep(); // the last batch's activations are done with: a device backend frees them
        const [x, y] = dataset.getBatch(idx);
        const output = model.forward(prepareInput(spec, x)) as Tensor;
        const loss = lossFn(output, targetsOf ? targetsOf(x, y) : y).item();
        const n = y.shape[0];
        lossSum += input.lossIsSum ? loss : loss * n;
        samples += n;
        // An image target (an autoencoder) has its loss only: no class to predict, no confusion, no wrong examples.
        if (!classify) continue;
        const outputs = output.data;
        const width = output.shape[1];
        const probs = probabilities(spec, output);
        for (let b = 0; b < n; b++) {
          const label = y.data[b];
          // The same argmax as accuracy in training: over the raw outputs.
          const predicted = argmaxRow(outputs.subarray(b * width, (b + 1) * width));
          if (label < classes && predicted < classes) confusion[label][predicted]++;
          input.examples?.push({ index: sourceIndex(idx[b]), label, predicted, confidence: probs[b][predicted], top: topClasses(probs[b]) });
          if (predicted === label) {
            correct++;
            continue;
          }
          const confidence = probs[b][predicted];
          if (wrong.length < WRONG_EXAMPLES || confidence > wrong[wrong.length - 1].confidence) {
            wrong.push({ index: sourceIndex(idx[b]), label, predicted, confidence, probabilities: Array.from(probs[b]) });
            wrong.sort((a, b2) => b2.confidence - a.confidence);
            if (wrong.length > WRONG_EXAMPLES) wrong.pop();
          }
        }
      }
    });
  } finally {
    model.train(wasTraining);
  }
  const perClassAccuracy = confusion.map((row, k) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total ? row[k] / total : null;
  });
  return {
    split: input.split,
    loss: samples ? lossSum / samples : NaN,
    accuracy: samples && classify ? correct / samples : NaN,
    samples,
    confusion,
    perClassAccuracy,
    confidentlyWrong: wrong,
  };
}

/** Evaluates a run's model on its validation or test set, and keeps every example's prediction on the run. */
export function evaluateRun(run: Run, split: 'validation' | 'test'): Evaluation {
  const trainer = run.trainer!;
  const dataset = split === 'test' ? trainer.sets.test : trainer.sets.validation;
  if (!dataset || dataset.length === 0) throw new EngineTextError(engineText(`run.noSet.${split}`, { dataset: run.meta.dataset }));
  const examples: EvaluatedExample[] = [];
  const evaluation = evaluateDetailed({
    model: trainer.model, spec: run.spec, lossFn: trainer.lossFn, lossIsSum: trainer.lossIsSum, split, dataset,
    classes: trainer.data.classes.length, examples,
  });
  // Validation indices point into the training file, test indices into the test file.
  run.evaluated.set(split, new EvaluatedExamples(examples, split === 'test' ? trainer.data.test! : trainer.data.train));
  return evaluation;
}

export interface PredictResult {
  probabilities: number[];
  predicted: number;
  /** An image target's output (an autoencoder's reconstruction): 784 values, row by row; then no classes. */
  image?: number[];
  activations?: LayerActivation[];
}

/**
 * One 28×28 image (pixels 0..255, row by row) through the model, normalised as the spec's data section says.
 * With `activations`, every top-level layer's output is recorded on the way by forward hooks (inside.ts).
 */
export function predictImage(model: Module, spec: ModelSpec, pixels: ArrayLike<number>, activations: boolean): PredictResult {
  const { output, layers } = layerOutputs(model, spec, pixels, activations);
  const recorded: LayerActivation[] = layers.map(({ name, nodeId, op, shape, data }) => ({
    name, nodeId, op, shape, values: Array.from(data.subarray(0, MAX_ACTIVATION_VALUES), Number), truncated: data.length > MAX_ACTIVATION_VALUES,
  }));
  if (!measuresAccuracy(spec)) {
    return { probabilities: [], predicted: -1, image: Array.from(output.data, Number), ...(activations ? { activations: recorded } : {}) };
  }
  const [row] = probabilities(spec, output);
  return {
    probabilities: Array.from(row),
    predicted: argmaxRow(output.data.subarray(0, output.shape[1])),
    ...(activations ? { activations: recorded } : {}),
  };
}

/**
 * The case behind common/model-spec/fixtures/twin-weights.json, shared by the script that writes it under real PyTorch
 * (scripts/twin-weights-fixture.ts) and the test that checks it without PyTorch (twin-weights.test.ts): a preset's
 * initial weights saved exactly as a run's checkpoint is (RunStore.writeWeights), and the test loss the engine
 * computes with them on a small synthetic test set that the twin, given that file with `--init`, evaluates too (an
 * image target's loss against the input images, as the twin's `target(xb, yb)`).
 */
import { mulberry32 } from '../../common/split';
import { getPreset } from '../../common/model-spec/presets';
import { measuresAccuracy } from '../../common/model-spec/target';
import type { ModelSpec } from '../../common/model-spec/types';
import { saveSafetensors } from '../io/safetensors';
import { manualSeed } from '../random';
import { noGrad } from '../autograd';
import { buildModel, makeLoss, makeTargetsOf, prepareInput } from './build';
import { specImageDataset } from './data';

export const TWIN_WEIGHTS_SEED = 2026;
export const TWIN_WEIGHTS_TEST_IMAGES = 64;

export interface TwinWeightsCase {
  spec: ModelSpec;
  /** The checkpoint file's bytes, as a run writes them. */
  weights: Uint8Array;
  /** The synthetic test set: uint8 pixels [n, 28, 28] and labels [n]. */
  images: Uint8Array;
  labels: Uint8Array;
  /** The engine's mean test loss over those images, with those weights, and its accuracy (null: an image target). */
  loss: number;
  accuracy: number | null;
}

/** Random pixels and labels, the same on every machine. */
export function syntheticTestSet(n = TWIN_WEIGHTS_TEST_IMAGES): { images: Uint8Array; labels: Uint8Array } {
  const random = mulberry32(TWIN_WEIGHTS_SEED);
  const images = Uint8Array.from({ length: n * 784 }, () => Math.floor(random() * 256));
  const labels = Uint8Array.from({ length: n }, () => Math.floor(random() * 10));
  return { images, labels };
}

export function twinWeightsCase(preset: string): TwinWeightsCase {
  const spec = getPreset(preset);
  if (!spec) throw new Error(`no preset ${preset}`);
  manualSeed(TWIN_WEIGHTS_SEED);
  const model = buildModel(spec);
  const weights = saveSafetensors(model.stateDict(), { metadata: { format: 'pt' } });
  const { images, labels } = syntheticTestSet();
  const data = specImageDataset(spec, { dtype: 'uint8', shape: [labels.length, 28, 28], data: images }, { dtype: 'uint8', shape: [labels.length], data: labels });
  const [x, y] = data.getBatch(Int32Array.from({ length: data.length }, (_, i) => i));
  model.eval();
  const { loss, accuracy } = noGrad(() => {
    const input = prepareInput(spec, x);
    const out = model.forward(input);
    // An image target (the Autoencoder) is compared with its input, as the twin's target(xb, yb) does; no accuracy.
    const targets = makeTargetsOf(spec)?.(input, y) ?? y;
    if (!measuresAccuracy(spec)) return { loss: makeLoss(spec)(out, targets).item(), accuracy: null };
    const predicted = out.argmax(1).data;
    let correct = 0;
    for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
    return { loss: makeLoss(spec)(out, targets).item(), accuracy: correct / labels.length };
  });
  return { spec, weights, images, labels, loss, accuracy };
}

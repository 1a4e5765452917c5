/**
 * Each lesson step's model as a builder spec, for the diagram beside the code and for "Open in builder": the
 * tutorial's hand-written model of steps 1–3 is Linear(784, 10) then LogSoftmax with NLLLoss (log_softmax and
 * nll written out); from step 4 on, F.cross_entropy takes the logits (the Mnist_Logistic preset); step 8 is the
 * Mnist_CNN preset. All with the tutorial's SGD settings, batch size 64 and pixels scaled to [0, 1].
 */
import type { LessonStepId } from '../../../../common/lesson-protocol';
import { chainSpec, getPreset, type ModelSpec } from '../../../../common/model-spec';
import { layoutSpec } from '../builder/layout';

const fromScratch = chainSpec({
  name: 'Mnist_Logistic (from scratch)',
  description: 'log_softmax(xb @ weights + bias) with nll: the torch.nn tutorial before F.cross_entropy.',
  inputShape: [784],
  layers: [['Linear', { inFeatures: 784, outFeatures: 10 }], ['LogSoftmax', { dim: 1 }]],
  loss: { type: 'NLLLoss', params: {} },
  optimizer: { type: 'SGD', params: { lr: 0.5 } },
  data: { normalize: 'scale' },
});

function preset(name: string): ModelSpec {
  const spec = getPreset(name);
  if (!spec) throw new Error(`the lesson needs the ${name} preset`);
  return spec;
}

export function stepSpec(step: LessonStepId): ModelSpec {
  switch (step) {
    case 'data': case 'from-scratch': case 'training-loop':
      return layoutSpec(fromScratch);
    case 'cnn':
      return layoutSpec(preset('Mnist_CNN'));
    default:
      return layoutSpec(preset('Mnist_Logistic'));
  }
}

/**
 * What a spec trains its output towards (`data.target`), one fact read by the validator, shape inference, the
 * engine's loops, the twin and the UI:
 *
 * - 'label' (the default): the class of each image. CrossEntropyLoss and NLLLoss take class indices, the losses
 *   that compare values take one-hot rows (LOSS_CATALOGUE's `targets`); accuracy is measured.
 * - 'image': the input image itself, an autoencoder. The output must be [N, 1, 28, 28]; the target is the image the
 *   model was given (after any augmentation) with its pixels scaled to [0, 1], i.e. pixel / 255, whatever
 *   `data.normalize` did to the model's input: a Sigmoid output can match it, and BCELoss accepts it. Only losses
 *   that compare values (MSELoss, L1Loss, SmoothL1Loss, BCELoss, BCEWithLogitsLoss) take it; there is no accuracy.
 */
import { LOSS_CATALOGUE } from './catalogue';
import type { ModelSpec, Shape, Target } from './types';

/** The spec's target; absent means 'label' (every spec written before autoencoders). */
export function targetOf(spec: Pick<ModelSpec, 'data'>): Target {
  return spec.data?.target ?? 'label';
}

/** Whether a run of this spec measures accuracy (a class target) or only its loss (an image target). */
export function measuresAccuracy(spec: Pick<ModelSpec, 'data'>): boolean {
  return targetOf(spec) === 'label';
}

/** The shape an image target has, and so the output an autoencoder must produce. */
export const IMAGE_TARGET_SHAPE: Shape = ['N', 1, 28, 28];

/** Whether `loss` can compare an output with an image (it compares values, not class indices). */
export function lossTakesImages(loss: string): boolean {
  return Object.hasOwn(LOSS_CATALOGUE, loss) && LOSS_CATALOGUE[loss as keyof typeof LOSS_CATALOGUE].targets === 'one-hot';
}

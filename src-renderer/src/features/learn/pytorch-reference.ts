/**
 * What the tutorial's own code prints under real PyTorch (1.13) on the lesson's data with torch.manual_seed(0),
 * shown beside the engine's figure. scripts/torch_nn_tutorial_reference.py made pytorch-reference.json; the
 * engine's figures differ in their digits (another random generator: other initial weights and shuffles) and
 * agree in size, which engine/lessons/torch-nn-tutorial.test.ts checks on real MNIST.
 */
import type { LessonStepId } from '../../../../common/lesson-protocol';
import reference from './pytorch-reference.json';

export const PYTORCH_VERSION = reference.torch;

/** PyTorch's figure for a print of a step, or null where the script has none. */
export function pytorchValue(step: LessonStepId, printId: string): number | null {
  const values = (reference as unknown as Record<string, Record<string, number> | undefined>)[step];
  const value = values?.[printId];
  return typeof value === 'number' ? value : null;
}

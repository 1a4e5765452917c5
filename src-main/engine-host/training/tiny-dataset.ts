/**
 * For the trainer's tests: a made-up 28×28 digit set of seeded noise, labels 0–9 in turn, with main's default split
 * holding out the last 20 images. Small enough to train in a test, and the same for the same seed.
 */
import type { TrainingDataset } from '../../../common/training-protocol';
import { mulberry32 } from '../../../common/split';

export function tinyDataset(seed: number, count = 200): TrainingDataset {
  const random = mulberry32(seed);
  return {
    name: 'tiny', classes: Array.from({ length: 10 }, (_, k) => String(k)),
    train: { images: Uint8Array.from({ length: count * 784 }, () => Math.floor(random() * 256)), labels: Uint8Array.from({ length: count }, (_, i) => i % 10), count, height: 28, width: 28 },
    test: null,
    split: { train: Int32Array.from({ length: count - 20 }, (_, i) => i), validation: Int32Array.from({ length: 20 }, (_, i) => count - 20 + i), seed: 1307 },
  };
}

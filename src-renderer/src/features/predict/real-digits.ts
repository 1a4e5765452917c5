/**
 * Real dataset digits of each class, to set beside the learner's input: the eye sees at once whether the pad's
 * 28×28 looks like what the network was trained on.
 */
import type { DatasetSamples } from '../../../../common/dataset-api';
import type { Grey } from './raster';

export interface RealDigits {
  /** Class names, indexed like the network's outputs. */
  classes: string[];
  /** Up to `perClass` images of each class, 0…1. */
  byClass: Grey[][];
}

/** Sorts a samples answer by class, once (decoding 256 images takes a while on a slow machine). */
export function realDigits(samples: DatasetSamples, perClass: number): RealDigits {
  const binary = atob(samples.pixels);
  const size = samples.width * samples.height;
  const byClass: Grey[][] = samples.classes.map(() => []);
  samples.labels.forEach((label, i) => {
    const group = byClass[label];
    if (!group || group.length >= perClass) return;
    const data = new Float32Array(size);
    for (let j = 0; j < size; j++) data[j] = binary.charCodeAt(i * size + j) / 255;
    group.push({ width: samples.width, height: samples.height, data });
  });
  return { classes: samples.classes, byClass };
}

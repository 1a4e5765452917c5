/**
 * Training-time augmentation as a data setting (`spec.data.augment`), in torchvision's words:
 *
 * - `randomAffine`: `RandomAffine(degrees, translate=None, scale=None)`: each training image is rotated by an
 *   angle drawn from [-degrees, degrees] (counter-clockwise positive), shifted by whole pixels drawn from
 *   [-translate[0]·W, translate[0]·W] × [-translate[1]·H, translate[1]·H] (rounded, as torchvision does), and scaled
 *   by a factor drawn from [scale[0], scale[1]], about the image centre.
 * - `elastic`: `ElasticTransform(alpha=50.0, sigma=5.0)`: a displacement field of uniform noise in [-1, 1],
 *   smoothed by a Gaussian of std `sigma` pixels (kernel int(8σ + 1), made odd; reflect padding), times alpha / size
 *   in grid units (as torchvision).
 *
 * Unlike torchvision's defaults, both sample bilinearly (nearest would jag MNIST's grey edges); what falls outside
 * the image is black (fill=0 before normalisation). Validation and test images are never augmented. The sampling
 * itself is common/augment.ts, the engine's batches engine/data/augment.ts, the twin's twin-augment.ts.
 *
 * One fact, one place: the fields below are the Data settings' fields (names, torch names, defaults, ranges), the
 * validator's rules and the twin's arguments.
 */
import type { ParamInfo } from './catalogue';
import type { AugmentSpec, DataSpec } from './types';

export interface AugmentInfo {
  /** The torchvision class the setting is named after. */
  torch: string;
  params: readonly ParamInfo[];
}

export const AUGMENT_CATALOGUE = {
  randomAffine: {
    torch: 'RandomAffine',
    params: [
      { name: 'degrees', torchName: 'degrees', type: 'float', default: 0, min: 0, max: 180, help: 'Rotate by an angle drawn from [-degrees, degrees].' },
      { name: 'translate', torchName: 'translate', type: 'float2', default: null, nullable: true, min: 0, max: 1, help: 'Shift by up to these fractions of the width and the height (None: no shift).' },
      { name: 'scale', torchName: 'scale', type: 'float2', default: null, nullable: true, min: 0, exclusiveMin: true, max: 4, help: 'Scale by a factor drawn from [min, max] (None: no scaling).' },
    ],
  },
  elastic: {
    torch: 'ElasticTransform',
    params: [
      { name: 'alpha', torchName: 'alpha', type: 'float', default: 50, min: 0, max: 1000, help: 'How far pixels move: the displacement field times alpha / size.' },
      // 8σ + 1 taps of reflect padding must fit a 28-pixel image, as in torchvision's gaussian_blur.
      { name: 'sigma', torchName: 'sigma', type: 'float', default: 5, min: 0, exclusiveMin: true, max: 6, help: 'How smooth the displacement is: the Gaussian\'s std in pixels.' },
    ],
  },
} as const satisfies Record<keyof AugmentSpec, AugmentInfo>;

export type AugmentKind = keyof typeof AUGMENT_CATALOGUE;
export const AUGMENT_KINDS = Object.keys(AUGMENT_CATALOGUE) as AugmentKind[];

/** What the Data settings turn on when a box is ticked: a common start for MNIST, shown in the preview at once. */
export const AUGMENT_STARTS = {
  randomAffine: { degrees: 10, translate: [0.1, 0.1], scale: [0.9, 1.1] },
  elastic: { alpha: 34, sigma: 4 },
} as const satisfies Record<AugmentKind, Record<string, unknown>>;

/** ElasticTransform's defaults, from the rows above. */
const ELASTIC_DEFAULTS = {
  alpha: AUGMENT_CATALOGUE.elastic.params[0].default,
  sigma: AUGMENT_CATALOGUE.elastic.params[1].default,
};

/** Augmentation with every default filled in; null where it is off. */
export interface ResolvedAugment {
  affine: { degrees: number; translate: [number, number] | null; scale: [number, number] | null } | null;
  elastic: { alpha: number; sigma: number } | null;
}

const pair = (v: unknown): [number, number] | null => (Array.isArray(v) && v.length === 2 ? [Number(v[0]), Number(v[1])] : null);

/**
 * The spec's augmentation with the defaults filled in, or null when it does nothing (absent, both off, or an
 * affine of degrees 0 with no translate and no scale and no elastic). Values are taken as given: validateSpec
 * judges them.
 */
export function resolveAugment(data: Pick<DataSpec, 'augment'>): ResolvedAugment | null {
  const a = data.augment?.randomAffine;
  const e = data.augment?.elastic;
  const affine = a
    ? { degrees: typeof a.degrees === 'number' ? a.degrees : 0, translate: pair(a.translate), scale: pair(a.scale) }
    : null;
  const useful = affine && (affine.degrees !== 0 || affine.translate !== null || affine.scale !== null) ? affine : null;
  const elastic = e
    ? { alpha: typeof e.alpha === 'number' ? e.alpha : ELASTIC_DEFAULTS.alpha, sigma: typeof e.sigma === 'number' ? e.sigma : ELASTIC_DEFAULTS.sigma }
    : null;
  return useful || elastic ? { affine: useful, elastic } : null;
}

/** torchvision's kernel size for a Gaussian of std sigma: int(8σ + 1), made odd. */
export function elasticKernelSize(sigma: number): number {
  const k = Math.floor(8 * sigma + 1);
  return k % 2 === 0 ? k + 1 : k;
}

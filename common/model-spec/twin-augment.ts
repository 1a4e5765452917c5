/**
 * The twin's training-time augmentation (spec.data.augment, see augment.ts), in plain torch ops with no
 * torchvision: F.affine_grid + F.grid_sample(mode="bilinear", padding_mode="zeros", align_corners=False) on
 * `x - BLACK`, the way common/augment.ts samples in the app, and torchvision's ElasticTransform field (uniform
 * noise, Gaussian blur with reflect padding, × alpha / size) built from F.pad and F.conv2d.
 *
 * Given the run's seed, the twin draws each image's angle, shift and scale from the same mulberry32 stream as the
 * app (augment_seed(seed, step), 4 numbers per image), so it turns, shifts and scales the very batches the app
 * trains on. The elastic field comes from torch's own generator: the same distribution as the app's, not the same
 * numbers. twin-augment.test.ts runs this code under PyTorch (a fixture in CI) against common/augment.ts.
 */
import { resolveAugment, type ResolvedAugment } from './augment';
import { MNIST_MEAN, MNIST_STD, type DataSpec } from './types';

/** The twin's lines: an import, the definitions (after the split code, whose mulberry32 they use), the call. */
export interface TwinAugment {
  imports: string[];
  definitions: string[];
  /** Inside the training loop, where `xb`, `epoch` and `batch` (from 1) are in scope. */
  apply: string[];
}

const py = (x: number) => (Number.isInteger(x) ? `${x}.0` : String(x));
const pair = (p: [number, number] | null) => (p ? `(${py(p[0])}, ${py(p[1])})` : 'None');

/** A black pixel after the spec's normalisation, as a Python expression. */
function blackExpr(data: DataSpec): string {
  return data.normalize === 'standardize' ? `(0 - ${MNIST_MEAN}) / ${MNIST_STD}  # black, standardised` : '0.0  # black';
}

/** The function definitions alone (constants and all), for the fixture harness and the test's digest. */
export function twinAugmentDefinitions(augment: ResolvedAugment, black: string): string[] {
  const a = augment.affine;
  const e = augment.elastic;
  return [
    '# Training-time augmentation as LayerLab does it: torchvision\'s RandomAffine and ElasticTransform, sampled',
    '# bilinearly, black outside the image; training batches only (validation and test images never are).',
    `DEGREES = ${py(a?.degrees ?? 0)}  # RandomAffine(degrees=...)`,
    `TRANSLATE = ${pair(a?.translate ?? null)}`,
    `SCALE = ${pair(a?.scale ?? null)}`,
    `ELASTIC = ${e ? `(${py(e.alpha)}, ${py(e.sigma)})  # ElasticTransform(alpha, sigma)` : 'None'}`,
    `BLACK = ${black}`,
    '',
    '',
    'def augment_seed(seed, step):',
    '    """The seed of batch `step`\'s draws (from 0 over the whole run): the app\'s common/augment.ts augmentSeed."""',
    '    return (seed * 0x9E3779B1 + step + 0x5BD1E995) & MASK',
    '',
    '',
    'def affine_thetas(n, h, w, random):',
    '    """RandomAffine\'s draw per image as F.affine_grid\'s theta: where each output pixel reads from."""',
    '    thetas = []',
    '    for _ in range(n):',
    '        u = [random() for _ in range(4)]',
    '        angle = (2 * u[0] - 1) * DEGREES  # counter-clockwise',
    '        tx = math.floor((2 * u[1] - 1) * TRANSLATE[0] * w + 0.5) if TRANSLATE else 0  # whole pixels',
    '        ty = math.floor((2 * u[2] - 1) * TRANSLATE[1] * h + 0.5) if TRANSLATE else 0',
    '        scale = SCALE[0] + u[3] * (SCALE[1] - SCALE[0]) if SCALE else 1',
    '        rad = angle * math.pi / 180',
    '        c, s = math.cos(rad) / scale, math.sin(rad) / scale',
    '        a, b, d, e = c, -s * h / w, s * w / h, c',
    '        txn, tyn = 2 * tx / w, 2 * ty / h',
    '        thetas.append([[a, b, -(a * txn + b * tyn)], [d, e, -(d * txn + e * tyn)]])',
    '    return torch.tensor(thetas, dtype=torch.float32)',
    '',
    '',
    'def gaussian_blur(field, sigma):',
    '    """torchvision\'s gaussian_blur on (N, 1, H, W): int(8σ + 1) taps (odd), reflect padding, rows then columns."""',
    '    size = int(8 * sigma + 1)',
    '    size += 1 - size % 2',
    '    x = torch.linspace(-(size - 1) / 2, (size - 1) / 2, size, dtype=torch.float64)',
    '    kernel = torch.exp(-0.5 * (x / sigma) ** 2)',
    '    kernel = (kernel / kernel.sum()).to(field.dtype)',
    '    pad = size // 2',
    '    field = F.conv2d(F.pad(field, (pad, pad, 0, 0), mode="reflect"), kernel.view(1, 1, 1, size))',
    '    return F.conv2d(F.pad(field, (0, 0, pad, pad), mode="reflect"), kernel.view(1, 1, size, 1))',
    '',
    '',
    'def elastic_displacement(n, h, w):',
    '    """ElasticTransform\'s field, (n, h, w, 2) in grid units: uniform noise in [-1, 1], blurred, × alpha / size."""',
    '    alpha, sigma = ELASTIC',
    '    noise = gaussian_blur(torch.rand(n * 2, 1, h, w, dtype=torch.float64) * 2 - 1, sigma).view(n, 2, h, w)',
    '    return torch.stack([noise[:, 0] * alpha / w, noise[:, 1] * alpha / h], dim=-1).float()',
    '',
    '',
    'def sample(x, theta, displacement=None):',
    '    """(N, 1, H, W) images read at theta · (grid + displacement), bilinear; outside the image is black."""',
    '    n, _, h, w = x.shape',
    '    if displacement is None:',
    '        grid = F.affine_grid(theta, (n, 1, h, w), align_corners=False)',
    '    else:',
    '        identity = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]).expand(n, 2, 3)',
    '        grid = F.affine_grid(identity, (n, 1, h, w), align_corners=False) + displacement',
    '        grid = grid @ theta[:, :, :2].transpose(1, 2).unsqueeze(1) + theta[:, :, 2].view(n, 1, 1, 2)',
    '    return F.grid_sample(x - BLACK, grid, mode="bilinear", padding_mode="zeros", align_corners=False) + BLACK',
    '',
    '',
    'def augment(xb, seed, step):',
    '    """Batch `step` of the run as LayerLab trains on it: each image turned, shifted, scaled, distorted."""',
    '    x = xb.reshape(-1, 1, 28, 28)',
    '    n, _, h, w = x.shape',
    '    random = mulberry32(augment_seed(seed, step))',
    '    identity = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]).repeat(n, 1, 1)',
    '    theta = affine_thetas(n, h, w, random) if DEGREES or TRANSLATE or SCALE else identity',
    '    displacement = elastic_displacement(n, h, w) if ELASTIC else None',
    '    return sample(x, theta, displacement).reshape(xb.shape)',
  ];
}

/** The twin's augmentation for these data settings; nothing at all when they augment nothing. */
export function twinAugment(data: DataSpec): TwinAugment {
  const augment = resolveAugment(data);
  if (!augment) return { imports: [], definitions: [], apply: [] };
  return {
    imports: ['import math'],
    definitions: ['', '', ...twinAugmentDefinitions(augment, blackExpr(data))],
    apply: ['            xb = augment(xb, args.seed, epoch * len(train_dl) + batch - 1)  # the run\'s step, from 0'],
  };
}

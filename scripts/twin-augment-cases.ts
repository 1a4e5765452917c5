/**
 * The cases on which the twin's augmentation code (twin-augment.ts) is run under PyTorch and compared with the
 * app's (common/augment.ts, engine/data/augment.ts): the inputs, made here deterministically, and the Python
 * harness that runs the twin's very lines on them. Used by scripts/twin-augment-fixture.ts (which stores PyTorch's
 * answers) and twin-augment.test.ts (which checks the app against them, and against a live PyTorch where there is one).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { affineTheta, elasticField } from '../common/augment';
import { mulberry32 } from '../common/split';
import type { ResolvedAugment } from '../common/model-spec/augment';
import { TWIN_SPLIT_CODE } from '../common/model-spec/pytorch';
import { twinAugmentDefinitions } from '../common/model-spec/twin-augment';
import { MNIST_MEAN, MNIST_STD } from '../common/model-spec/types';

export const N = 4;
export const SIDE = 28;
/** Black after 'standardize', as the twin writes it. */
export const BLACK_EXPR = `(0 - ${MNIST_MEAN}) / ${MNIST_STD}`;
export const BLACK = (0 - MNIST_MEAN) / MNIST_STD;

/** The augmentation of the 'augment' case: affine only, so the twin's draws are the app's. */
export const AFFINE_ONLY: ResolvedAugment = { affine: { degrees: 15, translate: [0.1, 0.2], scale: [0.8, 1.2] }, elastic: null };
export const ELASTIC = { alpha: 34, sigma: 4 };
export const AUGMENT_SEED = 7;
export const AUGMENT_STEP = 12;

/** Four standardised 28×28 images: soft blobs on black, so edges and the fill both matter. */
export function images(): Float32Array {
  const random = mulberry32(2026);
  const out = new Float32Array(N * SIDE * SIDE);
  for (let i = 0; i < N; i++) {
    const cx = 8 + random() * 12, cy = 8 + random() * 12, r = 4 + random() * 6;
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        const pixel = Math.max(0, 255 * (1 - Math.hypot(x - cx, y - cy) / r)) + (x === 0 || y === 27 ? 200 : 0);
        out[i * SIDE * SIDE + y * SIDE + x] = (pixel / 255 - MNIST_MEAN) / MNIST_STD;
      }
    }
  }
  return out;
}

/** Fixed transforms: an identity, a turn with a shift and a zoom, a quarter turn, a shrink, a 45° turn. */
export function thetas(): { identity: number[]; fixed: number[] } {
  const params = [
    { angle: 17, tx: 2, ty: -1, scale: 1.1 },
    { angle: -90, tx: 0, ty: 0, scale: 1 },
    { angle: 0, tx: 3, ty: 3, scale: 0.7 },
    { angle: 45, tx: -2, ty: 1, scale: 1.3 },
  ];
  return {
    identity: Array.from({ length: N }, () => [1, 0, 0, 0, 1, 0]).flat(),
    fixed: params.flatMap((p) => affineTheta(p, SIDE, SIDE)),
  };
}

/** One elastic displacement per image, [N, 28, 28, 2], as the app draws it. */
export function displacement(): Float32Array {
  const out = new Float32Array(N * SIDE * SIDE * 2);
  const random = mulberry32(99);
  for (let i = 0; i < N; i++) elasticField(random, ELASTIC, SIDE, SIDE, out, i * SIDE * SIDE * 2);
  return out;
}

/** Two fields of uniform noise in [-1, 1], for the twin's Gaussian blur. */
export function noise(): Float64Array {
  const random = mulberry32(5);
  return Float64Array.from({ length: 2 * SIDE * SIDE }, () => random() * 2 - 1);
}

/** The twin code the harness runs: the split code (mulberry32) and the augmentation definitions. */
export function twinCode(): string {
  return [...TWIN_SPLIT_CODE, '', '', ...twinAugmentDefinitions(AFFINE_ONLY, BLACK_EXPR)].join('\n');
}

export const codeDigest = () => createHash('sha256').update(twinCode()).digest('hex');

export interface TwinAnswers {
  torch: string;
  /** Each [N, 1, 28, 28] flattened. */
  identity: number[];
  fixed: number[];
  fixedElastic: number[];
  augment: number[];
  /** [2, 1, 28, 28] flattened. */
  blur: number[];
  /** The twin's own elastic field for torch.manual_seed(0): its spread, to compare with the app's. */
  elasticStd: number;
}

const HARNESS = String.raw`
import json, math, sys
import torch
import torch.nn.functional as F

spec = json.load(sys.stdin)
ns = {"torch": torch, "F": F, "math": math}
exec(spec["code"], ns)
n, side = spec["n"], spec["side"]
x = torch.tensor(spec["images"], dtype=torch.float32).view(n, 1, side, side)
theta = lambda flat: torch.tensor(flat, dtype=torch.float32).view(n, 2, 3)
disp = torch.tensor(spec["displacement"], dtype=torch.float32).view(n, side, side, 2)
flat = lambda t: [float(v) for v in t.reshape(-1).tolist()]
out = {
    "torch": torch.__version__,
    "identity": flat(ns["sample"](x, theta(spec["identity"]))),
    "fixed": flat(ns["sample"](x, theta(spec["fixed"]))),
    "fixedElastic": flat(ns["sample"](x, theta(spec["fixed"]), disp)),
    "augment": flat(ns["augment"](x.view(n, 784), spec["seed"], spec["step"])),
    "blur": flat(ns["gaussian_blur"](torch.tensor(spec["noise"], dtype=torch.float64).view(2, 1, side, side), spec["sigma"])),
}
ns["ELASTIC"] = (spec["alpha"], spec["sigma"])  # the twin's own field, torchvision's way, for its spread
torch.manual_seed(0)
out["elasticStd"] = float(ns["elastic_displacement"](400, side, side)[..., 0].std())
json.dump(out, sys.stdout)
`;

/** Why this Python can't run the harness (no such program, no torch), or ''. */
export function torchMissing(python: string): string {
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error) return `${python} cannot be run (${probe.error.message})`;
  return probe.status === 0 ? '' : `${python} has no torch (${probe.stderr.trim().split('\n').at(-1)})`;
}

/** Runs the twin's augmentation code under `python` on the cases. */
export function runTwin(python: string): TwinAnswers {
  const input = JSON.stringify({
    code: twinCode(), n: N, side: SIDE, images: Array.from(images()), ...thetas(), displacement: Array.from(displacement()),
    seed: AUGMENT_SEED, step: AUGMENT_STEP, noise: Array.from(noise()), alpha: ELASTIC.alpha, sigma: ELASTIC.sigma,
  });
  const run = spawnSync(python, ['-c', HARNESS], { input, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`the twin's augmentation failed under ${python}:\n${run.stderr}`);
  return JSON.parse(run.stdout) as TwinAnswers;
}

/**
 * For tests that run the PyTorch twin under a real PyTorch: which Python to use (`LAYERLAB_PYTHON`, else
 * /usr/bin/python3), why a test must skip where it has no torch (CI has none), and a small MNIST-format folder to
 * train on, so that the test needs neither the real MNIST nor the network.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeIdx } from '../../../common/idx';
import { mulberry32 } from '../../../common/split';

export const PYTHON = process.env.LAYERLAB_PYTHON ?? '/usr/bin/python3';

/** Why the twin can't run here ('' when it can): no Python, or a Python without torch. */
export function whyNoTorch(python = PYTHON): string {
  if (!existsSync(python)) return `no Python at ${python} (set LAYERLAB_PYTHON)`;
  const probe = spawnSync(python, ['-c', 'import torch, torch.distributed; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${python} has no PyTorch (${(probe.stderr || probe.error?.message || '').trim().split('\n').pop()})`;
  return '';
}

/**
 * Writes the four MNIST IDX .gz files of a made-up digit set into `dir`: class k is a bright vertical bar at column
 * 2k + 4 on seeded noise, but one image in six shows another class's bar, so a trained model's loss stays well above
 * 0 (a test loss printed to 4 decimals then still says something). Train and test images come from different seeds.
 */
export function writeIdxFolder(dir: string, sizes: { train: number; test: number }, seed = 1): string {
  mkdirSync(dir, { recursive: true });
  const make = (n: number, s: number) => {
    const random = mulberry32(s);
    const labels = Uint8Array.from({ length: n }, () => Math.floor(random() * 10));
    const images = new Uint8Array(n * 784);
    for (let i = 0; i < n; i++) {
      const shown = random() < 1 / 6 ? (labels[i] + 1 + Math.floor(random() * 9)) % 10 : labels[i];
      for (let p = 0; p < 784; p++) {
        const bar = Math.abs((p % 28) - (2 * shown + 4)) <= 1;
        images[i * 784 + p] = Math.min(255, Math.floor(random() * 120) + (bar ? 110 : 0));
      }
    }
    return { images, labels };
  };
  const sets = { train: make(sizes.train, seed), t10k: make(sizes.test, seed + 1000) };
  for (const [kind, { images, labels }] of Object.entries(sets)) {
    writeFileSync(join(dir, `${kind}-images-idx3-ubyte.gz`), gzipSync(writeIdx({ shape: [labels.length, 28, 28], data: images })));
    writeFileSync(join(dir, `${kind}-labels-idx1-ubyte.gz`), gzipSync(writeIdx({ shape: [labels.length], data: labels })));
  }
  return dir;
}

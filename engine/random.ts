/**
 * Seeded pseudo-random numbers for init, dropout and shuffling.
 *
 * Why not Math.random: runs must be reproducible from a seed, and each consumer (init, dropout, shuffle) can own
 * a generator so that adding a Dropout layer does not change the shuffle order.
 *
 * The core is mulberry32 (32-bit state, fast, good enough for ML noise); normals use Box–Muller with a cached
 * second value. These streams do not match torch.manual_seed: parity tests share weights via safetensors instead.
 */
export class Random {
  private state: number;
  private spareNormal: number | null = null;

  constructor(seed = 0) {
    this.state = seed >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform float in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * this.next();
  }

  /** A standard normal sample (mean 0, std 1). */
  normal(): number {
    if (this.spareNormal !== null) {
      const value = this.spareNormal;
      this.spareNormal = null;
      return value;
    }
    let u = 0;
    while (u === 0) u = this.next(); // log(0) would give -Infinity
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A Fisher–Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = order[i];
      order[i] = order[j];
      order[j] = tmp;
    }
    return order;
  }

  /** A new generator whose stream is independent of this one's future draws. */
  fork(): Random {
    return new Random(Math.floor(this.next() * 4294967296));
  }
}

/** The process-wide default generator, reseeded by `manualSeed`, as torch.manual_seed does. */
let defaultRandom = new Random(0);

export function manualSeed(seed: number): void {
  defaultRandom = new Random(seed);
}

export function defaultGenerator(): Random {
  return defaultRandom;
}

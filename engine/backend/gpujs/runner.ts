/**
 * Runs Launches (./plans.ts) on one gpu.js instance: one compiled kernel per source text, resized per call
 * (dynamicOutput/dynamicArguments; gpu.js caches its builds per size signature), results copied out as exact-length
 * Float32Arrays. gpu.js degrades a kernel it cannot build to its `cpu` backend with only a console warning, so the
 * runner checks which mode actually ran and keeps the reasons in `fallbacks` (tests assert it stays empty).
 */
import type { GPU, IKernelRunShortcut } from 'gpu.js';
import type { DeviceData } from '../backend';
import type { Launch } from './plans';

/** Loops in the kernels run at most this many times (gpu.js needs a bound for GLSL/WGSL loops). */
export const LOOP_MAX = 1 << 20;

export type GpujsMode = 'webgpu' | 'webgl2' | 'headlessgl' | 'webasm' | 'cpu';

export const KERNEL_SETTINGS = {
  dynamicOutput: true,
  dynamicArguments: true,
  loopMaxIterations: LOOP_MAX,
  precision: 'single',
  tactic: 'precision',
  fixIntegerDivisionAccuracy: true,
} as const;

interface RunnableKernel {
  (...args: unknown[]): unknown;
  setOutput(output: number[]): void;
  kernel?: { constructor: { mode?: string }; fallbackReason?: string | null };
}

export class GpujsRunner {
  /** Why a kernel ran somewhere other than `mode`, one line each. */
  readonly fallbacks: string[] = [];
  /** Launches run per source's first line (tests use it to check a case reached gpu.js). */
  launches = 0;
  private readonly kernels = new Map<string, RunnableKernel>();
  private readonly pipelineKernels = new Map<string, RunnableKernel>();

  constructor(
    readonly gpu: GPU,
    readonly mode: GpujsMode,
  ) {}

  /** The compiled kernel for a source (created on first use). */
  kernel(source: string, n: number): RunnableKernel {
    let k = this.kernels.get(source);
    if (!k) {
      k = this.gpu.createKernel(source, { ...KERNEL_SETTINGS, output: [n] }) as unknown as RunnableKernel;
      this.kernels.set(source, k);
    }
    k.setOutput([n]);
    return k;
  }

  /** Runs a launch synchronously (every mode but webgpu). */
  run(launch: Launch): Float32Array {
    const k = this.kernel(launch.source, launch.n);
    const result = k(...launch.args);
    if (result instanceof Promise) throw new Error(`gpu.js ${this.mode}: kernels are asynchronous here; use runAsync`);
    this.check(k, launch);
    return exact(result, launch.n, this.mode !== 'webasm');
  }

  /** Runs a launch and awaits its result (webgpu's only way; harmless elsewhere). */
  async runAsync(launch: Launch): Promise<Float32Array> {
    const k = this.kernel(launch.source, launch.n);
    const result = await k(...launch.args);
    this.check(k, launch);
    return exact(result, launch.n, this.mode !== 'webasm');
  }

  /**
   * GL modes: runs a launch with gpu.js's pipeline on, so the result stays in a texture (a fresh one per call:
   * `immutable`), wrapped as the DeviceData a Tensor can hold. Arguments may be earlier results' `handle`s.
   */
  runOnDevice(launch: Launch, backend: string): GpujsDeviceData {
    let k = this.pipelineKernels.get(launch.source);
    if (!k) {
      k = this.gpu.createKernel(launch.source, { ...KERNEL_SETTINGS, output: [launch.n], pipeline: true, immutable: true }) as unknown as RunnableKernel;
      this.pipelineKernels.set(launch.source, k);
    }
    k.setOutput([launch.n]);
    const texture = k(...launch.args) as GpujsTexture;
    this.check(k, launch);
    return new GpujsDeviceData(texture, launch.n, backend, this.mode !== 'webasm');
  }

  private check(k: RunnableKernel, launch: Launch): void {
    this.launches++;
    // gpu.js's GL kernels report the mode 'gpu'; anything else than the mode asked for is a degradation.
    const ran = k.kernel?.constructor.mode;
    const gl = this.mode === 'webgl2' || this.mode === 'headlessgl';
    if (ran !== undefined && ran !== this.mode && !(gl && ran === 'gpu')) {
      const first = launch.source.split('\n')[0];
      const line = `${first} ran on ${ran}: ${k.kernel?.fallbackReason ?? 'no reason given'}`;
      if (!this.fallbacks.includes(line)) this.fallbacks.push(line);
    }
  }

  destroy(): void {
    for (const k of [...this.kernels.values(), ...this.pipelineKernels.values()]) (k as unknown as IKernelRunShortcut).destroy?.();
    this.kernels.clear();
    this.pipelineKernels.clear();
  }
}

/**
 * A kernel result as a Float32Array of exactly n elements that the caller owns. webasm hands back a fresh copy per
 * call; the GL backends may hand back a padded texture's worth or a buffer they reuse, so those are copied.
 */
function exact(result: unknown, n: number, copy: boolean): Float32Array {
  if (result instanceof Float32Array && result.length === n && !copy) return result;
  if (result instanceof Float32Array) return result.slice(0, n);
  const flat = new Float32Array(n);
  const values = result as ArrayLike<number>;
  for (let i = 0; i < n; i++) flat[i] = values[i];
  return flat;
}

/** What gpu.js's pipeline mode returns: a texture (GL) or, on webasm/cpu, the plain array itself. */
interface GpujsTexture {
  toArray(): unknown;
  delete?(): void;
}

/** A pipeline result kept on the device, as a Tensor's storage: `handle` goes straight into the next kernel. */
export class GpujsDeviceData implements DeviceData {
  readonly dtype = 'float32' as const;

  constructor(
    readonly handle: GpujsTexture,
    readonly length: number,
    readonly backend: string,
    private readonly copy: boolean,
  ) {}

  read(): Float32Array {
    const values = typeof this.handle.toArray === 'function' ? this.handle.toArray() : this.handle;
    return exact(values, this.length, this.copy);
  }

  release(): void {
    this.handle.delete?.();
  }
}

/**
 * Runs Launches (./plans.ts) on one gpu.js instance: one compiled kernel per source text, resized per call
 * (dynamicOutput/dynamicArguments; gpu.js caches its builds per size signature), results copied out as exact-length
 * Float32Arrays. gpu.js degrades a kernel it cannot build to its `cpu` backend with only a console warning, so the
 * runner checks which mode actually ran and keeps the reasons in `fallbacks` (tests assert it stays empty).
 */
import type { GPU, IKernelRunShortcut } from 'gpu.js';
import { exact, type GpujsTexture } from './device';
import type { Launch } from './plans';

/** Loops in the kernels run at most this many times (gpu.js needs a bound for GLSL/WGSL loops). */
export const LOOP_MAX = 1 << 20;

export type GpujsMode = 'webgpu' | 'webgl2' | 'headlessgl' | 'webasm' | 'cpu';

/** A launch's argument kinds as gpu.js types them: arrays, numbers, and textures by their own type name. */
export function argumentKinds(args: unknown[]): string {
  return args
    .map((a) => (typeof a === 'number' ? 'f' : ArrayBuffer.isView(a) || Array.isArray(a) ? 'a' : String((a as { type?: string }).type ?? 't')))
    .join(',');
}

const COPY_SOURCE = `function (x) {
  return x[this.thread.x];
}`;

/**
 * What the kernel table (./kernels.ts) needs to run launches: GpujsRunner runs them on a gpu.js instance in this
 * thread; RemoteRunner (./remote.ts) sends them to one in a worker (WebGPU, whose readback is asynchronous).
 */
export interface LaunchRunner {
  readonly mode: GpujsMode;
  /** Why a kernel ran somewhere other than `mode`, one line each. */
  readonly fallbacks: readonly string[];
  /** Launches run so far. */
  readonly launches: number;
  /** Whether repeated training steps are replayed as plans (RemoteRunner with step plans on). */
  readonly plans?: boolean;
  /** Runs a launch; its result on the CPU. */
  run(launch: Launch): Float32Array;
  /** Runs a launch; its result stays on the device. */
  runOnDevice(launch: Launch): GpujsTexture;
  /** A CPU array's values on the device. */
  upload(values: Float32Array): GpujsTexture;
  /**
   * Copies device values into CPU arrays in the background, then marks `generation` done (RemoteRunner: kept
   * values survive a device or thread that is lost; device.ts "Mirrors"). False when it cannot (the device is gone).
   */
  mirror?(entries: MirrorEntry[], generation: number): boolean;
  /** The last generation whose mirror was written whole. */
  mirroredGeneration?(): number;
  /** Its step plans keep the state on the device and it takes no mirrors (RemoteRunner, resident WebGPU plans). */
  readonly keepsStateOnDevice?: boolean;
  destroy(): void;
}

/** A device value and where its mirror goes: `shadow[offset .. offset + length)`, a SharedArrayBuffer's floats. */
export interface MirrorEntry {
  texture: GpujsTexture;
  shadow: Float32Array;
  offset: number;
}

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

export class GpujsRunner implements LaunchRunner {
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

  /**
   * The compiled kernel for a source and its arguments' kinds (created on first use). One kernel per kind
   * signature, because gpu.js 2.24 handles a change of argument type (an array, then a texture) by building a
   * replacement kernel that drops `dynamicArguments` (its settings say `dynamicArgument`), which then reads later,
   * larger arguments at the first one's size: wrong values, or "offset is out of bounds".
   */
  kernel(launch: Launch, pipeline = false): RunnableKernel {
    const key = `${pipeline ? 'pipeline' : 'plain'} ${argumentKinds(launch.args)}\n${launch.source}`;
    const cache = pipeline ? this.pipelineKernels : this.kernels;
    let k = cache.get(key);
    if (!k) {
      const settings = { ...KERNEL_SETTINGS, output: [launch.n], ...(pipeline ? { pipeline: true, immutable: true } : {}) };
      k = this.gpu.createKernel(launch.source, settings) as unknown as RunnableKernel;
      cache.set(key, k);
    }
    k.setOutput([launch.n]);
    return k;
  }

  /** Runs a launch synchronously (every mode but webgpu). */
  run(launch: Launch): Float32Array {
    const k = this.kernel(launch);
    const result = k(...launch.args);
    if (result instanceof Promise) throw new Error(`gpu.js ${this.mode}: kernels are asynchronous here; use runAsync`);
    this.check(k, launch);
    return exact(result, launch.n, this.mode !== 'webasm');
  }

  /** Runs a launch and awaits its result (webgpu's only way; harmless elsewhere). */
  async runAsync(launch: Launch): Promise<Float32Array> {
    const k = this.kernel(launch);
    const result = await k(...launch.args);
    this.check(k, launch);
    return exact(result, launch.n, this.mode !== 'webasm');
  }

  /**
   * Runs a launch with gpu.js's pipeline on, so the result stays in a texture (a fresh one per call: `immutable`;
   * webasm and cpu hand back a fresh array). Arguments may be earlier results' textures (device.ts `arg`).
   */
  runOnDevice(launch: Launch): GpujsTexture {
    const k = this.kernel(launch, true);
    const texture = k(...launch.args) as GpujsTexture;
    this.check(k, launch);
    return texture;
  }

  /** A CPU array's values in a new texture (a copy on webasm/cpu, where textures are arrays). */
  upload(values: Float32Array): GpujsTexture {
    if (this.mode === 'webasm' || this.mode === 'cpu') return values.slice();
    return this.runOnDevice({ source: COPY_SOURCE, n: values.length, args: [values] });
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

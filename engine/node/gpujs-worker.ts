/**
 * gpu.js in a worker thread, for the engine in Node: the thread loads gpu.js (and for WebGPU, Dawn's `webgpu`
 * package, which gives Node a `navigator.gpu`), then serves launches (engine/backend/gpujs/remote-worker.ts) to a
 * RemoteRunner here.
 *
 *   const worker = await startGpujsWorker({ mode: 'webgpu' });
 *   const backend = createGpujsBackend({ runner: worker.runner, mode: 'webgpu' });
 *   ...
 *   backend.dispose();            // frees the device values and ends the thread
 *
 * Where WebGPU cannot run, startGpujsWorker rejects with a plain reason (describeGpujsFailure): the package is
 * missing, Dawn cannot load, or it found no adapter. The thread is unref'd, so it never keeps a process alive.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { describeGpujsFailure, gpujsFailureText, NO_WEBGPU_ADAPTER } from '../backend/gpujs/modes';
import { RemoteRunner, remoteChannel } from '../backend/gpujs/remote';
import { serveLaunches } from '../backend/gpujs/remote-worker';
import { createStepPlanner } from '../backend/gpujs/step-plans';
import { threadCpuClock } from './thread-cpu';
import { lowerThisThread } from './thread-nice';
import { napWhileWaiting } from '../backend/gpujs/device-wait';
import type { GpujsMode } from '../backend/gpujs/runner';

/** What Dawn says about the adapter it chose. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software adapter (SwiftShader, lavapipe): WebGPU runs, on the CPU. */
  software: boolean;
}

export interface GpujsWorker {
  runner: RemoteRunner;
  /** WebGPU's adapter; null for the other modes. */
  adapter: AdapterInfo | null;
  /** Settles when the thread has ended (after dispose, or a crash). */
  exited: Promise<number>;
  /** Ends the thread at once, without freeing anything: what a crash does (tests use it). */
  kill(): Promise<number>;
}

export interface GpujsWorkerOptions {
  mode: Extract<GpujsMode, 'webgpu' | 'webasm' | 'cpu'>;
  /** Dawn's options (`create(flags)`), e.g. ['backend=vulkan']. */
  dawnFlags?: string[];
  /** How long the thread may take to start and find its device (ms). */
  startMs?: number;
  /** How long one answer may take (ms; see RemoteRunner). */
  timeoutMs?: number;
  /** Replay repeated training steps as gpu.js plans (default on; off runs every launch on its own, the reference). */
  plans?: boolean;
  /** WebGPU plans keep what they carry on the device (default); false: gpu.js's fused encoder, arrays in and out. */
  resident?: boolean;
  /**
   * The nice level the thread sets itself to before it loads anything (./thread-nice.ts: Linux only), so that it,
   * and Dawn's and SwiftShader's threads that it makes, compute below the UI; left as made where absent.
   */
  nice?: number;
}

/** Not named `require`: in the engine host's bundle that name is the bundler's own. */
const packages = createRequire(import.meta.url);

/** Where a package's entry is, or null when it is not installed. */
function resolve(id: string): string | null {
  try {
    return packages.resolve(id);
  } catch {
    return null;
  }
}

/**
 * The thread's program: load Dawn and gpu.js, then serveLaunches. It runs as CommonJS source (eval), so that no
 * bundler has to know about a second entry; `__name` is the helper tsx's transform leaves in the function's text.
 */
function programSource(): string {
  return `
const { workerData, parentPort } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
var __name = (f) => f;
const { init, gpujsPath, dawnPath, dawnFlags, nice } = workerData;
// First, before Dawn makes its threads: they start at this thread's level.
(${lowerThisThread.toString()})(nice);
const software = /swiftshader|lavapipe|llvmpipe|software/i;
// A crash after start: tell an engine that may be waiting (ticket -1), rather than let it wait out its timeout.
process.on('uncaughtException', (error) => {
  const control = new Int32Array(init.control);
  Atomics.store(control, init.layout.TICKET, init.layout.WORKER_DIED);
  Atomics.notify(control, init.layout.TICKET);
  throw error;
});
// The devices gpu.js asks Dawn for, so that stopping can destroy them and wait for their last callbacks: a thread
// ended while Dawn still has one to deliver aborts the process (napi_throw during teardown).
const devices = [];
const release = async () => {
  for (const device of devices.splice(0)) {
    device.destroy();
    await Promise.race([device.lost, new Promise((resolve) => setTimeout(resolve, 1000))]);
  }
  await new Promise((resolve) => setTimeout(resolve, 10));
};
(async () => {
  let adapter = null;
  if (init.mode === 'webgpu') {
    if (!dawnPath) throw new Error("Cannot find package 'webgpu'");
    const dawn = await import(pathToFileURL(dawnPath).href);
    Object.assign(globalThis, dawn.globals);
    const dawnGpu = dawn.create(dawnFlags);
    const gpu = {
      requestAdapter: async (options) => {
        const found = await dawnGpu.requestAdapter(options);
        if (!found) return found;
        return new Proxy(found, {
          get: (target, key) => key === 'requestDevice'
            ? async (descriptor) => { const device = await target.requestDevice(descriptor); devices.push(device); return device; }
            : typeof target[key] === 'function' ? target[key].bind(target) : target[key],
        });
      },
      getPreferredCanvasFormat: () => dawnGpu.getPreferredCanvasFormat(),
      get wgslLanguageFeatures() { return dawnGpu.wgslLanguageFeatures; },
    };
    if (typeof navigator === 'undefined') globalThis.navigator = { gpu };
    else Object.defineProperty(navigator, 'gpu', { value: gpu, configurable: true });
    const found = await dawnGpu.requestAdapter();
    if (!found) throw new Error(${JSON.stringify(NO_WEBGPU_ADAPTER)});
    const info = found.info || {};
    const text = [info.vendor, info.architecture, info.device, info.description].join(' ');
    adapter = {
      vendor: info.vendor || '', architecture: info.architecture || '', device: info.device || '',
      description: info.description || '', software: Boolean(info.isFallbackAdapter || found.isFallbackAdapter) || software.test(text),
    };
  }
  const { GPU } = require(gpujsPath);
  // Given up on by the engine (no answer in time, or no answer to 'stop'): the thread ends itself, but only once its
  // devices are destroyed and their pending maps have settled. Ended from outside while a mapAsync is pending,
  // Dawn aborts the whole process ("Promise not resolved or rejected: mapAsync()"). Handled as it arrives, not
  // behind the launch that is still waiting for the device.
  let abandoned = false;
  const abandon = async () => {
    if (abandoned) return;
    abandoned = true;
    try {
      await release();
    } finally {
      process.exit(0);
    }
  };
  (${serveLaunches.toString()})(init, {
    GPU,
    listen: (f) => parentPort.on('message', (m) => (m && m.t === 'abandon' ? void abandon() : abandoned ? undefined : f(m))),
    release,
    close: () => parentPort.close(),
    createPlanner: (${createStepPlanner.toString()}),
    cpuMs: (${threadCpuClock.toString()})() ?? undefined,
    waitForDevice: (${napWhileWaiting.toString()})(),
  });
  parentPort.postMessage({ ready: true, adapter });
})().catch((error) => parentPort.postMessage({ ready: false, error: String((error && error.message) || error) }));
`;
}

export async function startGpujsWorker(options: GpujsWorkerOptions): Promise<GpujsWorker> {
  const { mode, dawnFlags = [], startMs = 20_000 } = options;
  const gpujsPath = resolve('gpu.js');
  if (!gpujsPath) throw new Error("the 'gpu.js' package is not installed");
  const init = remoteChannel(mode, undefined, options.plans ?? true, options.resident ?? true);
  const worker = new Worker(programSource(), {
    eval: true,
    workerData: { init, gpujsPath, dawnPath: mode === 'webgpu' ? resolve('webgpu') : null, dawnFlags, nice: options.nice ?? null },
  });
  worker.unref();
  const exited = new Promise<number>((done) => worker.once('exit', done));
  const started = await new Promise<{ ready: boolean; adapter?: AdapterInfo | null; error?: string }>((done) => {
    const timer = setTimeout(() => done({ ready: false, error: `gpu.js ${mode} did not start within ${startMs / 1000} s` }), startMs);
    worker.once('message', (m) => {
      clearTimeout(timer);
      done(m);
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      done({ ready: false, error: e.message });
    });
  });
  if (!started.ready) {
    void worker.terminate();
    // The reason in English, and as the code the header's backend line is worded from.
    const failure = new Error(started.error);
    throw Object.assign(new Error(describeGpujsFailure(mode, failure)), { text: gpujsFailureText(mode, failure) });
  }
  worker.on('error', (e) => console.warn(`gpu.js ${mode} worker failed: ${e.message}`));
  const runner = new RemoteRunner(mode, { post: (m, transfer) => worker.postMessage(m, transfer), terminate: mode === 'webgpu' ? () => abandonWorker(worker) : () => void worker.terminate() }, init, {
    timeoutMs: options.timeoutMs,
  });
  return { runner, adapter: started.adapter ?? null, exited, kill: () => worker.terminate() };
}

/** How long a thread that was given up on may hold the process open while it ends itself. */
export const ABANDON_MS = 30_000;

/**
 * Ends a worker the engine no longer waits for (a timeout, a stop that was not answered) without aborting the
 * process. Terminated from here while a mapAsync is pending, the thread's teardown drops Dawn's callback and Dawn
 * aborts the whole process ("Promise not resolved or rejected: mapAsync()"): a slow device (SwiftShader on a large
 * step) or a lost one took the engine host down with it. So the thread is asked to end itself (the program's
 * `abandon`: it destroys its devices, which waits for the work in flight and settles its maps, then exits), and it
 * holds the process open meanwhile, since an exit would end it from outside just the same; a device that never
 * answers holds it for ABANDON_MS at most. (The other modes have no Dawn, and a thread busy in a JS kernel reads
 * no message: they are terminated at once.)
 */
function abandonWorker(worker: Worker): void {
  worker.postMessage({ t: 'abandon' });
  worker.ref();
  const timer = setTimeout(() => worker.unref(), ABANDON_MS);
  timer.unref();
  worker.once('exit', () => clearTimeout(timer));
}

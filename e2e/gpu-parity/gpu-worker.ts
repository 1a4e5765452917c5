/**
 * The gpu-parity page's gpu.js thread for WebGPU: the browser's counterpart of engine/node/gpujs-worker.ts. Its
 * first message is the RemoteInit; it answers `{ ready }` (or why not) and then serves launches
 * (engine/backend/gpujs/remote-worker.ts) on navigator.gpu, which workers have too.
 */
import { GPU } from 'gpu.js';
import { serveLaunches, type RemoteHost, type RemoteInit, type RemoteMessage } from '../../engine/backend/gpujs/remote-worker';
import { createStepPlanner } from '../../engine/backend/gpujs/step-plans';

/** The worker's globals (typechecked with the Node wing's libs, which have no DOM). */
const scope = globalThis as unknown as {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown): void;
  close(): void;
};

scope.onmessage = (event) => {
  const init = event.data as RemoteInit;
  scope.onmessage = null;
  void (async () => {
    if (!(await GPU.isWebGPUAvailable())) throw new Error('navigator.gpu gave no adapter in a worker');
    serveLaunches(init, {
      GPU: GPU as unknown as RemoteHost['GPU'],
      listen: (onMessage) => (scope.onmessage = (e) => onMessage(e.data as RemoteMessage)),
      close: () => scope.close(),
      createPlanner: createStepPlanner,
    });
    scope.postMessage({ ready: true });
  })().catch((error: unknown) => scope.postMessage({ ready: false, error: error instanceof Error ? error.message : String(error) }));
};

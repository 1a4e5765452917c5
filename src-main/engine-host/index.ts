/**
 * The engine host entry: the same file runs as Electron's utilityProcess (talking on `process.parentPort`, with one
 * MessagePort per renderer handed over by main) and as the browser host's child process (talking on
 * `process.send` / 'message', with renderer frames tagged by client; see wire.ts). It probes the gpu.js backends in
 * its own process, greets main with `hello`, and answers both kinds of peers.
 * Never imports electron at runtime: the parentPort shape it needs is declared below.
 */
import packageJson from '../../package.json';
import { keepServing } from '../../common/crash-guard';
import type { BackendProbe, EngineEvent, EngineHello } from '../../common/engine-protocol';
import { engineText } from '../../common/engine-text';
import { getBackend } from '../../engine/index';
import { registerNodeBackends, type NodeBackends } from '../../engine/node/index';
import { probeBackends, probeLine } from './backend-probe';
import { EngineHost, type EnginePeer } from './engine-host';
import { lowerEnginePriority, workerNice } from './priority';
import { RunManager } from './training/run-manager';
import { LessonRunner } from './lesson/lesson-runner';
import { RENDERER_PORT_MESSAGE, type ChildInbound, type ChildOutbound } from '../../common/engine-host-wire';

interface PortMessageEvent {
  data: unknown;
  ports: UtilityMessagePort[];
}
/** The parts of Electron's MessagePortMain / ParentPort the host uses. */
interface UtilityMessagePort {
  on(event: 'message', listener: (event: PortMessageEvent) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
}
interface ParentPortLike {
  on(event: 'message', listener: (event: PortMessageEvent) => void): unknown;
  postMessage(message: unknown): void;
}

// One request that throws where nothing catches it must not end the engine (and a run in progress with it).
keepServing(process, 'engine host', console.error);

// Training yields the CPU to the UI on a busy machine, and requests are still answered soon (priority.ts says why).
lowerEnginePriority();

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
const runtime = process.versions.electron
  ? `electron ${process.versions.electron} (utility)`
  : `node ${process.versions.node}`;

/** Main's control channel, whichever transport carries it (set by serveElectron / serveChildProcess). */
let mainPeer: EnginePeer = { id: 'main', send: () => undefined };

/** Stops the engine's worker threads (set once they exist): a Dawn thread must stop before the process ends. */
let disposeBackends = (): void => undefined;

/** The run manager, once the host is up: told when the parent ends, so a run in progress is not blamed for it. */
let runManager: RunManager | null = null;

/**
 * The parent is gone (the web server or Electron's main was closed or killed) or asks this host to stop: mark a run
 * in progress as interrupted by that (for at most 2 s), stop the worker threads, and exit. A crash or a hang never
 * gets here, so only those count against the run's automatic resumes.
 */
function endWithParent(): void {
  const marked = runManager?.parentEnded().catch(() => undefined) ?? Promise.resolve();
  const timeout = new Promise((resolve) => setTimeout(resolve, 2000).unref());
  void Promise.race([marked, timeout]).finally(() => {
    try {
      disposeBackends();
    } finally {
      process.exit(0);
    }
  });
}
process.once('SIGTERM', endWithParent);

/** Messages that arrive while the backends are being probed wait here, in order. */
const host: Promise<EngineHost> = (async () => {
  const probes = await probeBackends(runtime);
  // The engine's own backends, which training chooses among by measuring (run-manager.ts): cpu, wasm,
  // wasm+threads, gpujs-<mode>. Until a run chooses, everything computes on the CPU reference. The worker threads
  // start in the background (long before a run measures them): the hello does not wait for them. Each lowers itself
  // to the engine's level as it starts, whenever that is (priority.ts).
  const engine = await registerNodeBackends({ gpujs: true, threadsReadyMs: 0, threadNice: workerNice() });
  // Whatever else starting them made (libuv's pool, V8's helpers) began at the main thread's level: lower it too.
  lowerEnginePriority();
  disposeBackends = () => engine.dispose();
  const hello: EngineHello = {
    engineVersion: packageJson.version,
    pid: process.pid,
    runtime,
    backends: [...probes, ...engineBackendProbes(engine)],
    backendInUse: getBackend().name,
  };
  const main: EnginePeer = { id: 'main', send: (event) => mainPeer.send(event) };
  // The hello is answered by reference, so later hellos name the backend a run chose.
  const backendChanged = (name: string) => {
    hello.backendInUse = name;
    // Measuring the backends may have made threads (libuv's pool): they go to the engine's level before the batches.
    lowerEnginePriority();
  };
  // Work starts or resumes (a run's batches, a lesson step): threads made while the engine waited, at the main
  // thread's level, go to the engine's.
  const computeStarts = () => void lowerEnginePriority();
  const training = (h: EngineHost) => (runManager = new RunManager({ main, renderers: () => h.renderers, backendChanged, computeStarts }));
  // The lesson asks main for MNIST through the run manager's dataset channel (its request ids are one sequence).
  const lessons = new LessonRunner((name) => runManager!.dataset(name), () => runManager?.computingRun() ?? null, computeStarts);
  return new EngineHost(hello, training, lessons);
})();

/** The engine backends beside the gpu.js probes ('cpu' is already among them), and any that failed to start. */
function engineBackendProbes(engine: NodeBackends): BackendProbe[] {
  return [
    ...engine.names
      .filter((name) => name !== 'cpu')
      .map((name) => probeLine(name, true, engine.details[name] ?? engineText('backend.ok.engine', {}))),
    ...Object.entries(engine.skipped).map(([name, why]) => probeLine(name, false, why)),
  ];
}

if (parentPort) serveElectron(parentPort);
else if (process.send) serveChildProcess();
else {
  console.error('The LayerLab engine host must be started by LayerLab (Electron or `npm run web`), not directly.');
  process.exit(2);
}

function serveElectron(port: ParentPortLike): void {
  const main: EnginePeer = (mainPeer = { id: 'main', send: (event) => port.postMessage(event) });
  let renderers = 0;
  port.on('message', ({ data, ports }) => {
    const [rendererPort] = ports;
    if (rendererPort && (data as { type?: unknown } | null)?.type === RENDERER_PORT_MESSAGE) {
      const peer: EnginePeer = { id: `renderer-${++renderers}`, send: (event) => rendererPort.postMessage(event) };
      rendererPort.on('message', (event) => void host.then((h) => h.handle(peer, event.data)));
      rendererPort.on('close', () => void host.then((h) => h.disconnect(peer.id)));
      rendererPort.start();
      void host.then((h) => h.connect(peer));
      return;
    }
    void host.then((h) => h.handle(main, data));
  });
  void host.then((h) => main.send({ type: 'hello', hello: h.hello }));
}

function serveChildProcess(): void {
  const post = (frame: ChildOutbound) => {
    if (process.connected) process.send?.(frame);
  };
  const main: EnginePeer = (mainPeer = { id: 'main', send: (message) => post({ peer: 'main', message }) });
  const renderer = (client: string): EnginePeer => ({
    id: `renderer-${client}`,
    send: (message: EngineEvent) => post({ peer: 'renderer', client, message }),
  });
  process.on('message', (frame: ChildInbound) => {
    if (frame?.peer === 'renderer' && typeof frame.client === 'string') {
      const peer = renderer(frame.client);
      void host.then((h) => h.handle(peer, frame.message));
    } else if (frame?.peer === 'renderer-closed') {
      if (typeof frame.client === 'string') void host.then((h) => h.disconnect(`renderer-${frame.client}`));
    } else if (frame?.peer === 'main') {
      void host.then((h) => h.handle(main, frame.message));
    } else {
      void host.then((h) => h.handle(main, frame));
    }
  });
  // The parent is gone (even if it was SIGKILLed): do not live on as an orphan. The worker threads stop first:
  // a WebGPU thread ended while Dawn still has a callback to deliver would abort the process instead.
  process.once('disconnect', endWithParent);
  void host.then((h) => main.send({ type: 'hello', hello: h.hello }));
}

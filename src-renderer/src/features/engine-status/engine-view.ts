/**
 * What we know about the engine, and what the header shows of it. Three sources: main's EngineStatus (state, pid,
 * reason), the hello the engine host sent us directly, and its latest `run-backend` (the backend a run chose by
 * measuring, or fell back to). The direct hello wins while that engine is ready, so the pid and backends on screen
 * came straight from the engine process, not from main's memory of it; a run's choice wins over the hello's.
 * Plain functions, so the rules test without Svelte; engine-status.svelte.ts only applies them.
 */
import type { EngineState, EngineStatus } from '../../../../common/api';
import type { BackendFigure, BackendProbe, EngineEvent, EngineHello } from '../../../../common/engine-protocol';
import type { EngineText } from '../../../../common/engine-text';
import { en, type MessageKey } from '../../lib/i18n/en';
import { engineSays, format } from '../../lib/i18n/translate';

/** A run-backend event without its type. */
export type RunBackend = Omit<Extract<EngineEvent, { type: 'run-backend' }>, 'type'>;

export interface EngineKnowledge {
  status: EngineStatus | null;
  /** The hello the current engine sent over the engine channel; null until it answers. */
  direct: EngineHello | null;
  /** The current engine's latest backend choice for a run; null until a run starts. */
  run: RunBackend | null;
}

export type EngineInput =
  /** From the engineStatus event or a getEngineStatus() reply. */
  | { kind: 'status'; status: EngineStatus }
  /** A hello event on the engine channel. */
  | { kind: 'hello'; hello: EngineHello }
  /** The engine channel was (re)bound: a new port or a reconnected socket. */
  | { kind: 'bind' }
  /** A run-backend event on the engine channel. */
  | { kind: 'backend'; run: RunBackend };

export const NOTHING_KNOWN: EngineKnowledge = { status: null, direct: null, run: null };

/**
 * Folds one input into what we know, and says whether to ask the engine for its hello now: when a new engine
 * becomes ready, and on every bind while ready (a hello posted before the bind was lost with the old channel).
 */
export function reduceEngine(known: EngineKnowledge, input: EngineInput): { known: EngineKnowledge; askHello: boolean } {
  const ready = known.status?.state === 'ready';
  switch (input.kind) {
    case 'status': {
      const next = input.status;
      // An event can overtake the reply to getEngineStatus(); never let the older of the two win.
      if (known.status && next.since < known.status.since) return { known, askHello: false };
      const sameEngine = ready && next.state === 'ready' && known.status!.pid === next.pid;
      if (sameEngine) return { known: { ...known, status: next }, askHello: false };
      // A different engine, or none: what the old one told us no longer holds.
      return { known: { status: next, direct: null, run: null }, askHello: next.state === 'ready' };
    }
    case 'hello':
      // A hello that arrives while no engine is ready can only be from one that is gone.
      return { known: ready ? { ...known, direct: input.hello } : known, askHello: false };
    case 'bind':
      return { known, askHello: ready };
    case 'backend':
      return { known: ready ? { ...known, run: input.run } : known, askHello: false };
  }
}

export interface EngineView {
  state: EngineState | null;
  reason: string | null;
  /** The reason as sentence codes, joined by '; ' (common/engine-text.ts). */
  reasonText?: EngineText[];
  pid: number | null;
  backendInUse: string | null;
  /** Whether a run chose the backend in use (by measuring, or as the learner asked); false before any run. */
  chosenByRun: boolean;
  /** The run's measured ms per step on each backend (empty when the user named the backend, or before a run). */
  backendFigures: BackendFigure[];
  /** Why the backend changed mid-run (it failed, and training went on on the CPU). */
  backendNote: string | null;
  /** The same as sentence codes, joined by '; ' (common/engine-text.ts). */
  backendNoteText?: EngineText[];
  backends: BackendProbe[];
  restarts: number;
}

export function describeEngine({ status, direct, run }: EngineKnowledge): EngineView {
  const ready = status?.state === 'ready';
  const hello = (ready ? direct : null) ?? status?.hello ?? null;
  return {
    state: status?.state ?? null,
    reason: status?.reason ?? null,
    ...(status?.reasonText ? { reasonText: status.reasonText } : {}),
    pid: (ready ? direct?.pid : null) ?? status?.pid ?? null,
    backendInUse: (ready ? run?.chosen : null) ?? hello?.backendInUse ?? null,
    chosenByRun: ready && run !== null,
    backendFigures: (ready ? run?.figures : null) ?? [],
    backendNote: (ready ? run?.note : null) ?? null,
    ...(ready && run?.noteText ? { backendNoteText: run.noteText } : {}),
    backends: hello?.backends ?? [],
    restarts: status?.restarts ?? 0,
  };
}

/** "cpu 4.12 ms · wasm 1.05 ms · gpujs-webasm failed": the measured figures, for the backend's tooltip. */
export function figuresLine(figures: readonly BackendFigure[], catalog: Record<MessageKey, string> = en): string {
  return figures.map((f) => f.msPerStep === null
    ? format(catalog['engine.figure.failed'], { backend: f.backend })
    : format(catalog['engine.figure.ms'], { backend: f.backend, ms: f.msPerStep.toFixed(2) })).join(' · ');
}

/**
 * "webasm: ok (3 ms)": the DOM contract's wording for one detected backend, its line in `catalog`'s language
 * (the engine host sends it as a code); the English that came with it from an engine host that sent none.
 */
export function backendLine(probe: BackendProbe, catalog: Record<MessageKey, string> = en): string {
  return `${probe.name}: ${engineSays(catalog, probe.detailText ? [probe.detailText] : undefined, probe.detail)}`;
}

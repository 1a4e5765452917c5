/**
 * What the header shows about the engine, computed from two sources: main's EngineStatus (state, pid, reason) and
 * the hello the engine host sent us directly. The direct hello wins while that engine is ready, so the pid and
 * backends on screen came straight from the engine process, not from main's memory of it.
 */
import type { EngineState, EngineStatus } from '../../../../common/api';
import type { BackendProbe, EngineHello } from '../../../../common/engine-protocol';

export interface EngineView {
  state: EngineState | null;
  reason: string | null;
  pid: number | null;
  backendInUse: string | null;
  backends: BackendProbe[];
  restarts: number;
}

export function describeEngine(status: EngineStatus | null, direct: EngineHello | null): EngineView {
  const ready = status?.state === 'ready';
  const hello = (ready ? direct : null) ?? status?.hello ?? null;
  return {
    state: status?.state ?? null,
    reason: status?.reason ?? null,
    pid: (ready ? direct?.pid : null) ?? status?.pid ?? null,
    backendInUse: hello?.backendInUse ?? null,
    backends: hello?.backends ?? [],
    restarts: status?.restarts ?? 0,
  };
}

/** An event can overtake the reply to getEngineStatus(); never let the older of the two win. */
export function isStale(current: EngineStatus | null, next: EngineStatus): boolean {
  return current !== null && next.since < current.since;
}

/** True while `next` describes the same running engine as `current`, so a direct hello from it is still good. */
export function isSameReadyEngine(current: EngineStatus | null, next: EngineStatus): boolean {
  return current?.state === 'ready' && next.state === 'ready' && current.pid === next.pid;
}

/** "webasm: ok (3 ms)": the DOM contract's wording for one detected backend. */
export function backendLine(probe: BackendProbe): string {
  return `${probe.name}: ${probe.detail}`;
}

import { describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../../../common/api';
import type { EngineHello } from '../../../../common/engine-protocol';
import { engineText } from '../../../../common/engine-text';
import { ko } from '../../lib/i18n/ko';
import { backendLine, describeEngine, figuresLine, NOTHING_KNOWN, reduceEngine, type EngineInput, type EngineKnowledge } from './engine-view';

const helloFromMain: EngineHello = {
  engineVersion: '0.1.0',
  pid: 100,
  runtime: 'node 20',
  backends: [{ name: 'cpu', available: true, detail: 'ok (1 ms)' }],
  backendInUse: 'cpu',
};
const direct: EngineHello = {
  ...helloFromMain,
  backends: [
    { name: 'webasm', available: true, detail: 'ok (3 ms)', detailText: engineText('backend.ok.ms', { ms: 3 }) },
    { name: 'webgl2', available: false, detail: 'unavailable (no WebGL in Node)', detailText: engineText('backend.unavailable.noWebgl.node', {}) },
  ],
  backendInUse: 'webasm',
};
const ready: EngineStatus = { state: 'ready', pid: 100, reason: null, restarts: 0, hello: helloFromMain, since: 10 };
const restarting: EngineStatus = { state: 'restarting', pid: null, reason: 'exit 1', restarts: 1, hello: null, since: 20 };
const readyAgain: EngineStatus = { ...ready, pid: 200, restarts: 1, since: 30 };

/** Runs inputs in order, collecting how many hellos were asked for. */
function run(inputs: EngineInput[], from: EngineKnowledge = NOTHING_KNOWN) {
  let known = from;
  let hellos = 0;
  for (const input of inputs) {
    const step = reduceEngine(known, input);
    known = step.known;
    if (step.askHello) hellos++;
  }
  return { known, hellos };
}

describe('reduceEngine', () => {
  it('asks the engine for its hello once it is ready, and keeps the answer', () => {
    const { known, hellos } = run([{ kind: 'status', status: ready }, { kind: 'hello', hello: direct }]);
    expect(hellos).toBe(1);
    expect(known).toEqual({ status: ready, direct, run: null });
  });

  it('does not ask again when the same engine is reported ready again', () => {
    const { known, hellos } = run([
      { kind: 'status', status: ready },
      { kind: 'hello', hello: direct },
      { kind: 'status', status: { ...ready, since: 11 } },
    ]);
    expect(hellos).toBe(1);
    expect(known.direct).toBe(direct);
  });

  it('forgets the old hello on restart and asks the new engine', () => {
    const { known, hellos } = run([
      { kind: 'status', status: ready },
      { kind: 'hello', hello: direct },
      { kind: 'status', status: restarting },
    ]);
    expect(known).toEqual({ status: restarting, direct: null, run: null });
    const after = run([{ kind: 'status', status: readyAgain }], known);
    expect(hellos + after.hellos).toBe(2);
  });

  it('ignores a hello while no engine is ready', () => {
    expect(run([{ kind: 'status', status: restarting }, { kind: 'hello', hello: direct }]).known.direct).toBeNull();
    expect(run([{ kind: 'hello', hello: direct }]).known).toEqual(NOTHING_KNOWN);
  });

  it('ignores a status older than the one it has', () => {
    const { known, hellos } = run([{ kind: 'status', status: restarting }, { kind: 'status', status: ready }]);
    expect(known.status).toBe(restarting);
    expect(hellos).toBe(0);
  });

  it('re-asks on every bind while ready, since a hello may have died with the old channel', () => {
    expect(run([{ kind: 'bind' }]).hellos).toBe(0);
    expect(run([{ kind: 'status', status: ready }, { kind: 'bind' }, { kind: 'bind' }]).hellos).toBe(3);
  });
});

describe('describeEngine', () => {
  it('shows nothing known before the first status', () => {
    expect(describeEngine(NOTHING_KNOWN)).toEqual({
      state: null, reason: null, pid: null, backendInUse: null, chosenByRun: false, backendFigures: [], backendNote: null, backends: [], restarts: 0,
    });
  });

  it("uses main's hello until the engine answers directly", () => {
    expect(describeEngine({ status: ready, direct: null, run: null })).toMatchObject({ state: 'ready', pid: 100, backendInUse: 'cpu' });
  });

  it("prefers the engine's own hello while it is ready", () => {
    const view = describeEngine({ status: ready, direct: { ...direct, pid: 101 }, run: null });
    expect(view).toMatchObject({ pid: 101, backendInUse: 'webasm', backends: direct.backends });
  });

  it('shows the reason and no engine while restarting', () => {
    expect(describeEngine({ status: restarting, direct, run: null })).toEqual({
      state: 'restarting', reason: 'exit 1', pid: null, backendInUse: null, chosenByRun: false, backendFigures: [], backendNote: null, backends: [], restarts: 1,
    });
  });

  it("shows the backend a run chose, with its figures, until another engine starts", () => {
    const figures = [{ backend: 'cpu', msPerStep: 4.123 }, { backend: 'wasm', msPerStep: 1.05 }, { backend: 'gpujs-webasm', msPerStep: null, error: 'x' }];
    const chose = { runId: 'r', chosen: 'wasm', figures, overridden: false };
    const { known } = run([{ kind: 'status', status: ready }, { kind: 'hello', hello: direct }, { kind: 'backend', run: chose }]);
    expect(describeEngine(known)).toMatchObject({ backendInUse: 'wasm', chosenByRun: true, backendFigures: figures, backendNote: null });
    expect(figuresLine(figures)).toBe('cpu 4.12 ms · wasm 1.05 ms · gpujs-webasm failed');
    expect(figuresLine(figures, ko)).toBe('cpu 4.12ms · wasm 1.05ms · gpujs-webasm 실패');
    const noteText = [engineText('backend.note.fellBack', { backend: 'wasm', error: 'lost', batch: 3, epoch: 2 })];
    const fellBack = run([{ kind: 'backend', run: { ...chose, chosen: 'cpu', note: 'the wasm backend failed', noteText } }], known).known;
    expect(describeEngine(fellBack)).toMatchObject({ backendInUse: 'cpu', backendNote: 'the wasm backend failed', backendNoteText: noteText });
    const restarted = run([{ kind: 'status', status: restarting }, { kind: 'status', status: readyAgain }], known).known;
    expect(restarted.run).toBeNull();
    expect(describeEngine(restarted)).toMatchObject({ backendInUse: 'cpu', chosenByRun: false });
  });
});

describe('backendLine', () => {
  it('reads the way the DOM contract says', () => {
    expect(direct.backends.map((probe) => backendLine(probe))).toEqual(['webasm: ok (3 ms)', 'webgl2: unavailable (no WebGL in Node)']);
  });

  it("words the engine host's codes in the learner's language, and an older host's English as it came", () => {
    expect(direct.backends.map((probe) => backendLine(probe, ko))).toEqual(['webasm: 사용 가능 (3ms)', 'webgl2: 사용 불가 (Node에는 WebGL이 없습니다)']);
    expect(backendLine(helloFromMain.backends[0], ko)).toBe('cpu: ok (1 ms)');
  });
});

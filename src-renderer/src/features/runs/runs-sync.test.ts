import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../../../common/model-spec/presets';
import type { RunDetail, RunMeta, RunState, RunSummary } from '../../../../common/training-protocol';
import { mergeRuns, RunsSync, staleRuns } from './runs-sync';

/** A run's detail as the engine sends it, at `updatedAt` in `state`. */
function detail(id: string, state: RunState = 'completed', updatedAt = 't1', epochsDone = 1): RunDetail {
  const meta = {
    id, name: `run ${id}`, model: 'MLP', dataset: 'mnist', state, reason: null, createdAt: 't0', updatedAt,
    options: { epochs: 1, seed: 0 }, epochsDone, step: 0, lr: 0.1, bestEpoch: null, bestValLoss: null, bestValAcc: null,
    badEpochs: 0, firstLoss: null, recoveries: 0,
  } as RunMeta;
  return { meta, spec: PRESETS.MLP, history: { epochs: [], markers: [] } };
}

/** The `runs` event's summary of the same run. */
const summary = ({ meta }: RunDetail): RunSummary => ({
  id: meta.id, name: meta.name, model: meta.model, dataset: meta.dataset, state: meta.state, bestValAcc: meta.bestValAcc,
  epochsDone: meta.epochsDone, epochs: meta.options.epochs, createdAt: meta.createdAt, updatedAt: meta.updatedAt,
});

const everything = { runIds: undefined };

describe('staleRuns', () => {
  it('names the runs the table lacks or holds an older version of, in the list order', () => {
    const a = detail('a');
    const b = detail('b', 'running', 't1', 0);
    const list = [summary(detail('c')), summary(detail('b', 'completed', 't2', 1)), summary(a)];
    expect(staleRuns(list, [b, a])).toEqual(['c', 'b']);
    expect(staleRuns(list.slice(2), [a])).toEqual([]);
  });
});

describe('mergeRuns', () => {
  it("replaces and adds the fetched runs, in the run list's order, dropping runs no longer listed", () => {
    const a = detail('a');
    const b = detail('b', 'running');
    const b2 = detail('b', 'completed', 't2');
    const c = detail('c');
    const merged = mergeRuns([b, a], [c, b2], [summary(c), summary(b2)]);
    expect(merged.map((r) => r.meta.id)).toEqual(['c', 'b']);
    expect(merged[1]).toBe(b2);
  });

  it('without a run list, puts new runs first and keeps the rest in place', () => {
    const a = detail('a');
    const b = detail('b');
    expect(mergeRuns([a, b], [detail('c'), detail('b', 'failed')], null).map((r) => `${r.meta.id}:${r.meta.state}`))
      .toEqual(['c:completed', 'a:completed', 'b:failed']);
  });
});

describe('RunsSync', () => {
  const a = detail('a');
  const b = detail('b');

  it('asks nothing while hidden, however often the run list changes, then catches up once when shown', () => {
    const sync = new RunsSync();
    expect(sync.listed([summary(a)], [])).toBeNull();
    expect(sync.listed([summary(b), summary(a)], [])).toBeNull();
    expect(sync.rebound([])).toBeNull();
    // The first look: every run.
    expect(sync.shown(true, [])).toEqual(everything);
    expect(sync.answered(true, [b, a])).toBeNull();
    // Shown again with nothing new: nothing to ask.
    expect(sync.shown(false, [b, a])).toBeNull();
    expect(sync.shown(true, [b, a])).toBeNull();
  });

  it('after the first look, asks only for the runs that changed, and a hidden tab only once it is shown', () => {
    const sync = new RunsSync();
    sync.listed([summary(a)], []);
    expect(sync.shown(true, [])).toEqual(everything);
    sync.answered(true, [a]);
    const running = detail('b', 'running', 't1', 0);
    // Shown: a new run is asked for at once, by itself.
    expect(sync.listed([summary(running), summary(a)], [a])).toEqual({ runIds: ['b'] });
    sync.answered(false, [running, a]);
    // Hidden: it ends, and another starts and ends; nothing is asked until the tab is shown.
    sync.shown(false, [running, a]);
    const ended = detail('b', 'completed', 't2', 1);
    const c = detail('c');
    expect(sync.listed([summary(ended), summary(a)], [running, a])).toBeNull();
    expect(sync.listed([summary(c), summary(ended), summary(a)], [running, a])).toBeNull();
    expect(sync.shown(true, [running, a])).toEqual({ runIds: ['c', 'b'] });
  });

  it('news that comes while a request is on its way waits for its answer, then costs one request', () => {
    const sync = new RunsSync();
    expect(sync.shown(true, [])).toEqual(everything);
    // Three run lists while the first answer is on its way: nothing more is sent meanwhile.
    expect(sync.listed([summary(a)], [])).toBeNull();
    expect(sync.listed([summary(b), summary(a)], [])).toBeNull();
    expect(sync.listed([summary(b), summary(a)], [])).toBeNull();
    // The answer held a only (it was read before b existed): one request for b.
    expect(sync.answered(true, [a])).toEqual({ runIds: ['b'] });
    expect(sync.answered(false, [b, a])).toBeNull();
  });

  it('asks for every run after the engine rebinds (even with a request lost on the way), and on Refresh', () => {
    const sync = new RunsSync();
    sync.listed([summary(a)], []);
    expect(sync.shown(true, [])).toEqual(everything);
    // The engine restarted before answering: that request is never answered, and the new engine is asked afresh.
    expect(sync.rebound([])).toEqual(everything);
    expect(sync.answered(true, [a])).toBeNull();
    expect(sync.refresh()).toEqual(everything);
    // An error answer does not settle the debt: the next news asks for everything again.
    expect(sync.answered(false, [a])).toBeNull();
    expect(sync.listed([summary(a)], [a])).toEqual(everything);
  });

  it('asks for every run rather than name more than one request may', () => {
    const sync = new RunsSync();
    sync.listed([], []);
    sync.shown(true, []);
    sync.answered(true, []);
    const many = Array.from({ length: 201 }, (_, i) => summary(detail(`r${i}`)));
    expect(sync.listed(many, [])).toEqual(everything);
  });
});

/**
 * When the Runs tab asks the engine for `runs-compare`, and for which runs: plain TS, so it tests without Svelte.
 *
 * `runs-compare` reads every run's meta, spec and history from disk, and its answer is parsed and compared in the
 * renderer: work that grows with the project. So the tab asks only while it is shown (a hidden tab notes what changed
 * and catches up once when shown), and after a `runs` event only for the runs whose summary differs from what the
 * table holds (a run that ended, a new one). Everything is asked for when nothing is known yet, after the engine
 * (re)binds, and on Refresh. While a request is on its way, news waits for its answer and is then caught up on once,
 * so a burst of events costs one request, not one each.
 *
 * ```ts
 * const sync = new RunsSync();
 * sync.listed(summaries, table);  // null: hidden, nothing asked
 * sync.shown(true, table);        // { runIds: undefined }: the first look asks for every run
 * sync.answered(true, table);     // null: the full answer arrived, and nothing came meanwhile
 * sync.listed(summaries2, table); // { runIds: ['run-b'] }: only the run that ended since
 * ```
 */
import { RUNS_COMPARE_MAX } from '../../../../common/inside-protocol';
import type { RunDetail, RunSummary } from '../../../../common/training-protocol';

/** What to ask: `runIds` undefined asks for every run. */
export interface RunsAsk {
  runIds?: string[];
}

/** What a summary and a detail share that changes as a run goes on: a differing one means the detail is stale. */
const version = (r: Pick<RunSummary, 'name' | 'state' | 'epochsDone' | 'updatedAt'>) => `${r.name}|${r.state}|${r.epochsDone}|${r.updatedAt}`;

/** The runs of `summaries` that `known` lacks or holds an older version of, in the summaries' order. */
export function staleRuns(summaries: readonly RunSummary[], known: readonly RunDetail[]): string[] {
  const held = new Map(known.map((r) => [r.meta.id, version(r.meta)]));
  return summaries.filter((s) => held.get(s.id) !== version(s)).map((s) => s.id);
}

/**
 * The table after a partial answer: `fetched` replaces or adds its runs; with `summaries`, runs no longer listed go
 * and the order is the list's (newest first), else new runs come first.
 */
export function mergeRuns(known: readonly RunDetail[], fetched: readonly RunDetail[], summaries: readonly RunSummary[] | null): RunDetail[] {
  const byId = new Map(known.map((r) => [r.meta.id, r]));
  for (const run of fetched) byId.set(run.meta.id, run);
  if (summaries) return summaries.flatMap((s) => byId.get(s.id) ?? []);
  const fresh = fetched.filter((r) => !known.some((k) => k.meta.id === r.meta.id));
  return [...fresh, ...known.map((r) => byId.get(r.meta.id)!)];
}

export class RunsSync {
  #visible = false;
  /** Everything must be asked for: nothing is known yet, the engine (re)bound, or the learner pressed Refresh. */
  #everything = true;
  /** The latest run list (`runs` event), newest first; null until one came. */
  #summaries: RunSummary[] | null = null;
  /** Requests sent and not yet answered; while there are any, news waits for their answers (`#behind`). */
  #inFlight = 0;
  #behind = false;

  get summaries(): RunSummary[] | null {
    return this.#summaries;
  }

  /** The tab is shown or hidden; shown, it catches up on what changed meanwhile. */
  shown(visible: boolean, known: readonly RunDetail[]): RunsAsk | null {
    this.#visible = visible;
    return this.#next(known);
  }

  /** A `runs` event: the run list as the engine sees it now. */
  listed(summaries: RunSummary[], known: readonly RunDetail[]): RunsAsk | null {
    this.#summaries = summaries;
    return this.#next(known);
  }

  /** The engine (re)bound: requests to the old one are never answered, and anything may have changed. */
  rebound(known: readonly RunDetail[]): RunsAsk | null {
    this.#inFlight = 0;
    this.#behind = false;
    this.#everything = true;
    return this.#next(known);
  }

  /** The learner pressed Refresh: every run, now. */
  refresh(): RunsAsk {
    this.#everything = true;
    this.#inFlight++;
    return { runIds: undefined };
  }

  /**
   * An answer (or an error) arrived for a request; `full`: it holds every run. Once the last one is in, news that
   * came meanwhile is caught up on, once.
   */
  answered(full: boolean, known: readonly RunDetail[]): RunsAsk | null {
    if (full) this.#everything = false;
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (this.#inFlight > 0 || !this.#behind) return null;
    this.#behind = false;
    return this.#next(known);
  }

  #next(known: readonly RunDetail[]): RunsAsk | null {
    if (!this.#visible) return null;
    if (this.#inFlight > 0) {
      this.#behind = true;
      return null;
    }
    const ask = this.#everything || !this.#summaries ? { runIds: undefined } : staleOrNull(staleRuns(this.#summaries, known));
    if (ask) this.#inFlight++;
    return ask;
  }
}

/** None stale: nothing to ask; more than one request may name: all of them. */
const staleOrNull = (ids: string[]): RunsAsk | null => {
  if (ids.length === 0) return null;
  return ids.length <= RUNS_COMPARE_MAX ? { runIds: ids } : { runIds: undefined };
};

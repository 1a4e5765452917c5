/**
 * Crash recovery: where an interrupted run resumes. When a new engine host is told where runs live, the run that
 * was loading, running or paused continues from its last resume point: the checkpoint within the epoch
 * (`run.json`'s `partial`) when its files made it, else the last epoch's. A second crash or hang with no checkpoint
 * since the first resume leaves the run stopped for the user. The app ending is not a crash: neither a host that
 * ended because its parent did (`parentEnded`) nor the first host after the app started counts. The resume point
 * is marked in run.json before anything is loaded, so a host that dies in the resume itself has been counted.
 */
import {
  ACTIVE_RUN_STATES, type RunMarker, type RunMeta, type RunState, type TrainingDataset, type TrainingEvent,
} from '../../../common/training-protocol';
import type { ModelSpec } from '../../../common/model-spec/types';
import { engineText, englishText, englishTexts } from '../../../common/engine-text';
import type { Run } from './run';
import type { RunStore } from './run-store';
import { resolveOptions, RunTrainer } from './run-trainer';

/** What recovery needs of the router: loading a run as the current one, and telling everyone. */
export interface RecoveryHost {
  current(): Run | null;
  /** Reads a run from its folder and builds its trainer; it becomes the current run. */
  load(id: string): Promise<Run>;
  /** The load failed: there is no current run after all. */
  forget(): void;
  mark(run: Run, marker: RunMarker): void;
  setState(run: Run, state: RunState, reason: null): void;
  /** Says it to main and every window, now and to windows that connect later. */
  announce(notice: Extract<TrainingEvent, { type: 'run-recovered' }>): void;
  /** Starts the run's batch loop (run-loop.ts). */
  startLoop(run: Run): void;
}

/**
 * Resumes the interrupted run in `store`, if there is one and nothing is current. `firstHostSinceStart`: main had
 * no engine host before this one, so the app itself ended (or was killed) during the run, whether or not the host
 * lived to mark it (`parentEnded`; under Electron, Chromium ends the utility process at once when main dies).
 */
export async function recoverInterrupted(store: RunStore, firstHostSinceStart: boolean, host: RecoveryHost): Promise<void> {
  const interrupted = (await store.list()).find((m) => ACTIVE_RUN_STATES.includes(m.state));
  if (!interrupted || host.current()) return;
  const id = interrupted.id;
  const parentEnded = interrupted.parentEnded === true || firstHostSinceStart;
  // A second crash (or hang) with no checkpoint since the first resume: resuming again would most likely crash it
  // once more (a model too big for the machine). It is left stopped, and the user chooses. A run that made
  // progress between crashes is resumed each time.
  const committed = interrupted.partial?.step ?? interrupted.step;
  const stuck = interrupted.recoveredAtStep !== undefined && committed <= interrupted.recoveredAtStep;
  if (!parentEnded && stuck) {
    const reasonText = [engineText('reason.stuck', { epoch: interrupted.epochsDone })];
    await store.writeMeta({ ...interrupted, state: 'stopped', reason: englishTexts(reasonText), reasonText });
    return;
  }
  // Marked before anything is loaded: a host that crashes or hangs in the resume itself (building a model too big
  // for the machine) has then been counted once, and the next start leaves the run to the user, not resuming it
  // again and again.
  const marked: RunMeta = { ...interrupted };
  delete marked.parentEnded;
  if (!parentEnded) marked.recoveredAtStep = committed;
  await store.writeMeta(marked);
  let run: Run;
  try {
    run = await host.load(id);
    await run.restore(interrupted.epochsDone);
  } catch (error) {
    const reasonText = [engineText('reason.resumeFailed', { message: error instanceof Error ? error.message : String(error) })];
    await store.writeMeta({ ...interrupted, state: 'failed', reason: englishTexts(reasonText), reasonText });
    host.forget();
    return;
  }
  const done = interrupted.epochsDone;
  run.truncate(done);
  const within = interrupted.partial?.epoch === done + 1 ? interrupted.partial : undefined;
  if (within) {
    try {
      await run.restoreWithinEpoch(within);
    } catch {
      await run.restore(done); // its files did not make it: the epoch's checkpoint it is, then
    }
  }
  const position = run.meta.partial;
  delete run.meta.parentEnded;
  if (!parentEnded) {
    run.meta.recoveries++;
    run.meta.recoveredAtStep = run.trainer!.step;
  }
  const closed = parentEnded ? 'closed' : 'crashed';
  const messageText = position
    ? engineText(`recovered.${closed}.inEpoch`, { name: run.meta.name, epoch: position.epoch, batch: position.batch })
    : engineText(`recovered.${closed}.afterEpoch`, { name: run.meta.name, epoch: done, next: done + 1 });
  const message = englishText(messageText);
  host.mark(run, { kind: 'recovered', step: run.trainer!.step, epoch: done + 1, message });
  host.announce({ type: 'run-recovered', runId: id, fromEpoch: done + 1, message, messageText });
  host.setState(run, interrupted.state === 'paused' ? 'paused' : 'running', null);
  await run.writeHistory();
  if (run.meta.state === 'running') host.startLoop(run);
}

/**
 * A run's trainer as its folder left it: its split (a run from before runs split by their own seed, with no split
 * in its run.json or one with no seed once reopened, keeps main's default split, the images its epochs trained on),
 * its latest weights, and its count of epochs and steps. Optimizer state comes with `run.restore`.
 */
export async function trainerFromFolder(store: RunStore, meta: RunMeta, spec: ModelSpec, data: TrainingDataset): Promise<RunTrainer> {
  const ownSeed = meta.split ? meta.split.seed !== null : meta.epochsDone === 0;
  const trainer = new RunTrainer(spec, data, resolveOptions(meta.options), ownSeed ? 'run-seed' : 'main-default');
  meta.split = trainer.split;
  trainer.model.loadStateDict(await store.readWeights(meta.id, 'last'));
  trainer.epoch = meta.epochsDone;
  trainer.step = meta.step;
  trainer.firstLoss = meta.firstLoss;
  return trainer;
}

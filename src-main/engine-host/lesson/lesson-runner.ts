/**
 * The engine host's side of the Learn tab: runs the torch.nn tutorial's steps (engine/lessons/torch-nn-tutorial.ts)
 * on real MNIST, one step at a time, with a notebook per renderer so that a step sees what the earlier ones left
 * (step 4 reads the weights step 3 trained). Progress goes to the asking renderer at most every 100 ms: the part
 * of the training loop running now, where in the epoch, and the last batch's loss. Between batches the loop yields
 * to the event loop, so `lesson-stop`, a run's messages and pings are answered while a step trains.
 *
 * A lesson step and a run never compute at once: both would share the engine's one backend and its per-step device
 * memory (endStep), and each would halve the other's speed. A step is refused while a run loads or trains, and a
 * run that starts mid-step stops the step after the batch in hand, saying why. With no run computing, the step
 * runs on the wasm backend when the engine has it (about 7× the CPU reference's speed for the CNN), and the
 * backend a run chose is put back afterwards.
 */
import type { LessonRequest, LessonStepId, LoopPhase, LoopPosition } from '../../../common/lesson-protocol';
import { EngineTextError, engineText, englishText, type EngineText } from '../../../common/engine-text';
import type { TrainingDataset } from '../../../common/training-protocol';
import { getBackend, listBackends, setBackend, TorchNnTutorial, tutorialData, type TutorialData } from '../../../engine/index';
import type { EnginePeer, LessonHandler } from '../engine-host';

/** The dataset the tutorial uses. */
const LESSON_DATASET = 'mnist';
const PROGRESS_EVERY_MS = 100;
/** The backend lesson steps compute on when the engine has it: fast, exact to the CPU's float32, no worker threads. */
const LESSON_BACKEND = 'wasm';

/** The run loading or training now, which a lesson step does not share the engine with. */
export interface ComputingRun {
  id: string;
  name: string;
  state: 'running' | 'loading';
}

/** MNIST could not be loaded for the lesson; `reason` is main's own, as its sentence code where main coded it. */
class MnistUnavailable extends Error {
  constructor(readonly reason: string | EngineText) {
    super(typeof reason === 'string' ? reason : englishText(reason));
  }
}

interface Running {
  peerId: string;
  requestId: number;
  step: LessonStepId;
  stop: boolean;
  /** Why the step was stopped by the engine itself (a run started), for the result's note. */
  interruptedBy: ComputingRun | null;
}

export class LessonRunner implements LessonHandler {
  readonly #dataset: (name: string) => Promise<TrainingDataset>;
  readonly #computingRun: () => ComputingRun | null;
  readonly #computeStarts: () => void;
  #data: Promise<TutorialData> | null = null;
  readonly #notebooks = new Map<string, TorchNnTutorial>();
  #running: Running | null = null;

  /**
   * `dataset`: main's datasets, through the run manager's channel (one request ids space for both).
   * `computingRun`: the run loading or training now, or null.
   * `computeStarts`: called as a step starts (threads made since the engine last computed can be lowered now).
   */
  constructor(
    dataset: (name: string) => Promise<TrainingDataset>,
    computingRun: () => ComputingRun | null = () => null,
    computeStarts: () => void = () => undefined,
  ) {
    this.#dataset = dataset;
    this.#computingRun = computingRun;
    this.#computeStarts = computeStarts;
  }

  async handle(peer: EnginePeer, request: LessonRequest): Promise<void> {
    if (request.type === 'lesson-stop') {
      if (this.#running?.peerId === peer.id && this.#running.requestId === request.requestId) this.#running.stop = true;
      return;
    }
    if (this.#running) {
      const text = engineText(this.#running.peerId === peer.id ? 'lesson.stepRunning.here' : 'lesson.stepRunning.elsewhere', { step: this.#running.step });
      peer.send({ type: 'error', message: englishText(text), text, requestType: request.type, requestId: request.requestId });
      return;
    }
    const busy = this.#computingRun();
    if (busy) {
      const text = engineText(`lesson.waitsForRun.${busy.state}`, { id: busy.id, name: busy.name });
      peer.send({ type: 'error', message: englishText(text), text, requestType: request.type, requestId: request.requestId });
      return;
    }
    const running: Running = { peerId: peer.id, requestId: request.requestId, step: request.step, stop: false, interruptedBy: null };
    this.#running = running;
    this.#computeStarts();
    const backendBefore = getBackend().name;
    try {
      if (listBackends().includes(LESSON_BACKEND)) setBackend(LESSON_BACKEND);
      const notebook = await this.#notebook(peer.id);
      let lastSent = 0;
      const progress = (phase: LoopPhase, at: LoopPosition, loss: number | null) => {
        const now = Date.now();
        if (now - lastSent < PROGRESS_EVERY_MS) return;
        lastSent = now;
        peer.send({ type: 'lesson-progress', requestId: request.requestId, step: request.step, phase, loss, ...at });
      };
      const result = await notebook.run(request.step, {
        onPhase: progress,
        afterBatch: () => new Promise((resolve) => setImmediate(resolve)),
        stopRequested: () => {
          const run = running.stop ? null : this.#computingRun();
          if (run) running.interruptedBy = run;
          return running.stop || run !== null;
        },
      }, request.maxBatches ? { maxBatches: request.maxBatches } : {});
      const run = running.interruptedBy;
      const by = run && engineText(run.state === 'running' ? 'lesson.runRunning' : 'lesson.runLoading', { id: run.id, name: run.name });
      peer.send({ type: 'lesson-result', requestId: request.requestId, ...result, ...(by ? { interruptedBy: englishText(by), interruptedByText: by } : {}) });
    } catch (error) {
      const base = { type: 'error', requestType: request.type, requestId: request.requestId } as const;
      if (error instanceof MnistUnavailable) {
        const text = engineText('lesson.noMnist', { step: request.step, message: error.reason });
        peer.send({ ...base, message: englishText(text), text });
      } else {
        // A reason of the step's own: its words as they came (or worded from their code), framed in the learner's language.
        const text = engineText('lesson.stepFailed', {
          step: request.step, message: error instanceof EngineTextError ? error.text : error instanceof Error ? error.message : String(error),
        });
        peer.send({ ...base, message: englishText(text), text });
      }
    } finally {
      this.#running = null;
      // A run that started mid-step chose its own backend: leave that one.
      if (!running.interruptedBy && listBackends().includes(backendBefore)) setBackend(backendBefore);
    }
  }

  disconnect(peerId: string): void {
    this.#notebooks.delete(peerId);
    if (this.#running?.peerId === peerId) this.#running.stop = true;
  }

  async #notebook(peerId: string): Promise<TorchNnTutorial> {
    const known = this.#notebooks.get(peerId);
    if (known) return known;
    const data = await (this.#data ??= this.#load());
    const notebook = this.#notebooks.get(peerId) ?? new TorchNnTutorial(data);
    this.#notebooks.set(peerId, notebook);
    return notebook;
  }

  async #load(): Promise<TutorialData> {
    try {
      const { train } = await this.#dataset(LESSON_DATASET);
      if (train.height !== 28 || train.width !== 28) throw new EngineTextError(engineText('lesson.needs28', { height: train.height, width: train.width }));
      return tutorialData(train.images, train.labels, train.count);
    } catch (error) {
      this.#data = null; // the learner may download MNIST and try again
      throw new MnistUnavailable(error instanceof EngineTextError ? error.text : error instanceof Error ? error.message : String(error));
    }
  }
}

/**
 * Choosing a backend by measuring, not guessing (STYLE.md: "Decide by measuring"): for each candidate, time a few
 * training steps of the model actually about to train, on its real batch shape, and take the fastest.
 *
 *   const choice = chooseBackend(listBackends(), () => trainingStep(model, lossFn, optimizer, x, y));
 *   setBackend(choice.chosen);     // choice.figures: [{ backend: 'cpu', msPerStep: 4.1 }, { backend: 'wasm', … }]
 *
 * Per backend: make a fresh step (so each starts from the same state), run it `warmup` times, or the backend's
 * own `warmupSteps` when more (first-call costs: wasm memory growth, packed panels, JIT; a GPU's step plans), then `repeats` times; its figure is the fastest of those, in ms (the
 * least noisy estimate on a loaded machine). A backend whose first timed step takes over twice the best figure so
 * far is not timed again (it cannot win, and on a slow backend each step may take seconds): list the likely
 * fastest first. A backend whose step throws is reported with the error and never chosen. The backend active before the call is active again after it: the caller decides whether to switch.
 */
import { endStep, getBackend, setBackend } from './backend';

// The engine's libs have no performance type (it runs everywhere); every runtime has it.
const { performance } = globalThis as unknown as { performance: { now(): number } };

export interface BackendFigure {
  backend: string;
  /** Fastest timed step, in milliseconds; null when the step failed on this backend. */
  msPerStep: number | null;
  /** Why it failed (first line of the error). */
  error?: string;
}

export interface BackendChoice {
  chosen: string;
  figures: BackendFigure[];
}

export interface ChooseOptions {
  /** Untimed steps per backend first (default 1). */
  warmup?: number;
  /** Timed steps per backend; the figure is their minimum (default 3). */
  repeats?: number;
  /** ms; default performance.now. */
  clock?: () => number;
}

export function chooseBackend(candidates: readonly string[], makeStep: () => () => void, options: ChooseOptions = {}): BackendChoice {
  const { warmup = 1, repeats = 3, clock = () => performance.now() } = options;
  if (candidates.length === 0) throw new Error('chooseBackend: no candidate backends');
  const previous = getBackend().name;
  const figures: BackendFigure[] = [];
  try {
    for (const backend of candidates) {
      try {
        setBackend(backend);
        const step = makeStep();
        const untimed = Math.max(warmup, getBackend().warmupSteps ?? 0);
        for (let i = 0; i < untimed; i++) step();
        const leader = Math.min(...figures.map((f) => f.msPerStep ?? Infinity));
        let best = Infinity;
        for (let i = 0; i < Math.max(1, repeats) && (i === 0 || best <= 2 * leader); i++) {
          const t0 = clock();
          step();
          best = Math.min(best, clock() - t0);
        }
        figures.push({ backend, msPerStep: best });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        figures.push({ backend, msPerStep: null, error: message.split('\n')[0] });
      }
    }
  } finally {
    setBackend(previous);
  }
  let chosen: BackendFigure | null = null;
  for (const f of figures) if (f.msPerStep !== null && (chosen === null || f.msPerStep < chosen.msPerStep!)) chosen = f;
  if (!chosen) throw new Error(`chooseBackend: the step failed on every backend (${figures.map((f) => `${f.backend}: ${f.error}`).join('; ')})`);
  return { chosen: chosen.backend, figures };
}

/** What trainingStep needs of a model, a loss and an optimizer (engine/nn and engine/optim fit it). */
interface Forward<T> {
  forward(x: T): T | unknown;
}
interface LossLike<T> {
  backward(): void;
  item(): number;
}

/**
 * One training step as the chooser times it: forward, loss, backward, optimizer step, zero the gradients; it
 * returns the loss. `model`, `lossFn` and `optimizer` should be a copy built for measuring, not the run's own (the
 * steps train it).
 */
export function trainingStep<T>(
  model: Forward<T>, lossFn: (output: T, target: T) => LossLike<T>, optimizer: { step(): unknown; zeroGrad(setToNone?: boolean): void }, x: T, y: T,
): () => number {
  return () => {
    endStep();
    const loss = lossFn(model.forward(x) as T, y);
    // Read once the gradients exist: a device backend then runs forward, loss and backward as one batch (the
    // update still comes after the read, as in the trainer, where a diverging batch is not applied).
    loss.backward();
    const value = loss.item();
    optimizer.step();
    optimizer.zeroGrad(true);
    return value;
  };
}

/**
 * Backend names in the order to measure them (chooseBackend stops timing one that is already over
 * twice as slow as the best so far): the wasm ones, then the gpu.js ones, then the CPU reference.
 */
export function likelyFastestFirst(names: readonly string[]): string[] {
  const rank = (name: string) => (name.startsWith('wasm') ? 0 : name.startsWith('gpujs') ? 1 : 2);
  return [...names].sort((a, b) => rank(a) - rank(b));
}

/**
 * Early stopping on the validation loss, as Lightning's EarlyStopping callback (monitor='val_loss', mode='min'):
 * an epoch whose validation loss is lower than the best so far by more than `minDelta` is the new best; after
 * `patience` epochs in a row without one, training should stop (and, usually, go back to the best epoch's weights).
 *
 * ```ts
 * const stopping = new EarlyStopping({ patience: 3, minDelta: 0 });
 * const record = trainer.finishEpoch(validation);
 * stopping.note(record.epoch, record.valLoss, record.valAcc);   // true: a new best
 * if (stopping.shouldStop) ...                                    // restore stopping.state.bestEpoch's checkpoint
 * ```
 * The state is a plain object the caller may own (the engine host keeps it in run.json's meta, so it survives a
 * crash); with `patience` null it only tracks the best epoch.
 */
export interface EarlyStoppingState {
  bestEpoch: number | null;
  bestValLoss: number | null;
  bestValAcc: number | null;
  /** Epochs in a row since the best. */
  badEpochs: number;
}

export class EarlyStopping {
  readonly patience: number | null;
  readonly minDelta: number;

  constructor(
    options: { patience: number | null; minDelta?: number },
    readonly state: EarlyStoppingState = { bestEpoch: null, bestValLoss: null, bestValAcc: null, badEpochs: 0 },
  ) {
    this.patience = options.patience;
    this.minDelta = options.minDelta ?? 0;
  }

  /** Records an epoch's validation loss; true when it is the best so far. A missing or non-finite loss counts for nothing. */
  note(epoch: number, valLoss: number | null, valAcc: number | null): boolean {
    const state = this.state;
    if (valLoss === null || !Number.isFinite(valLoss)) return false;
    if (state.bestValLoss === null || valLoss < state.bestValLoss - this.minDelta) {
      Object.assign(state, { bestEpoch: epoch, bestValLoss: valLoss, bestValAcc: valAcc, badEpochs: 0 });
      return true;
    }
    state.badEpochs++;
    return false;
  }

  /** Forgets the best (before the history is noted again, after a restart from a checkpoint). */
  reset(): void {
    Object.assign(this.state, { bestEpoch: null, bestValLoss: null, bestValAcc: null, badEpochs: 0 });
  }

  /** `patience` epochs without a new best, and a best to go back to. */
  get shouldStop(): boolean {
    return this.patience !== null && this.state.badEpochs >= this.patience && this.state.bestEpoch !== null;
  }
}

/**
 * Fields whose typed text is not a valid value: the field turns red and keeps the text, while the spec (or the run
 * settings) keeps its last valid value. Until the text is fixed or dropped, a run would train on a value other than
 * the one on screen, so Train is disabled with the first of these as its reason (`startBlocker` in
 * features/training/run-settings.ts).
 *
 * PendingEditsState (pending-edits.svelte.ts) keeps the list in `$state`; this core is tested without Svelte.
 */
import type { Diagnostic } from '../../../../common/model-spec';

export interface PendingEdit {
  /** The field's element id, unique on the page. */
  key: string;
  /** Its torch name as the label shows it: `batch_size`, `lr`, `patience`. */
  field: string;
  /** What is typed there now. */
  text: string;
  /** Why it is not a value (the validator's own rule). */
  problem: Diagnostic;
  /** 'model': a setting of the builder's model (blocks only its runs); 'run': a Train tab setting (blocks any run). */
  scope: 'model' | 'run';
}

export class PendingEdits {
  #plain: readonly PendingEdit[] = [];

  protected get itemsValue(): readonly PendingEdit[] { return this.#plain; }
  protected set itemsValue(v: readonly PendingEdit[]) { this.#plain = v; }

  /** In the order the fields first went wrong. */
  get items(): readonly PendingEdit[] { return this.itemsValue; }

  /** Records (or updates, keeping its place) a field's invalid text. */
  set(edit: PendingEdit): void {
    const items = this.itemsValue;
    const at = items.findIndex((e) => e.key === edit.key);
    if (at >= 0 && JSON.stringify(items[at]) === JSON.stringify(edit)) return;
    this.itemsValue = at >= 0 ? items.map((e, i) => (i === at ? edit : e)) : [...items, edit];
  }

  /** The field holds a valid value again, or is gone. */
  clear(key: string): void {
    if (this.itemsValue.some((e) => e.key === key)) this.itemsValue = this.itemsValue.filter((e) => e.key !== key);
  }

  /** The first pending edit that stops a run of `model` ('builder' or a preset's name). */
  blocking(model: string): PendingEdit | null {
    return this.itemsValue.find((e) => e.scope === 'run' || model === 'builder') ?? null;
  }
}

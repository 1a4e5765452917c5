/** PendingEdits (pending-edits.ts) with its list in `$state`, so Train's reason follows the fields as they change. */
import { PendingEdits, type PendingEdit } from './pending-edits';

export class PendingEditsState extends PendingEdits {
  #items = $state.raw<readonly PendingEdit[]>([]);

  protected override get itemsValue(): readonly PendingEdit[] { return this.#items; }
  protected override set itemsValue(v: readonly PendingEdit[]) { this.#items = v; }
}

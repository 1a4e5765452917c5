/**
 * The builder's state for the UI: BuilderCore's editing (builder-core.ts, tested without Svelte) with its values
 * kept in `$state`, plus everything derived live from the spec (shapes, errors, lint warnings, the PyTorch twin).
 */
import { chainOf, inferShapes, lintSpec, validateSpec, type ModelSpec } from '../../../../common/model-spec';
import { twinForProject } from '../../../../common/twin-file';
import { DEFAULT_RUN, type ProjectRun } from '../../../../common/project';
import { BuilderCore } from './builder-core';
import { PendingEditsState } from './pending-edits.svelte';
import { trainBlocker } from './summary';

export class BuilderState extends BuilderCore {
  #spec = $state.raw<ModelSpec>(this.history.present);
  #selection = $state.raw<string[]>([]);
  #edge = $state<number | null>(null);
  #undo = $state(false);
  #redo = $state(false);
  #run = $state.raw<ProjectRun>(DEFAULT_RUN);
  #revision = $state(0);

  protected override get specValue(): ModelSpec { return this.#spec; }
  protected override set specValue(v: ModelSpec) { this.#spec = v; }
  protected override get selectionValue(): string[] { return this.#selection; }
  protected override set selectionValue(v: string[]) { this.#selection = v; }
  protected override get edgeValue(): number | null { return this.#edge; }
  protected override set edgeValue(v: number | null) { this.#edge = v; }
  protected override get undoValue(): boolean { return this.#undo; }
  protected override set undoValue(v: boolean) { this.#undo = v; }
  protected override get redoValue(): boolean { return this.#redo; }
  protected override set redoValue(v: boolean) { this.#redo = v; }
  protected override get runValue(): ProjectRun { return this.#run; }
  protected override set runValue(v: ProjectRun) { this.#run = v; }
  protected override get revisionValue(): number { return this.#revision; }
  protected override set revisionValue(v: number) { this.#revision = v; }
  protected override requestFocus(): void {
    this.focusTick += 1;
  }

  /** Fields holding text that is not a valid value (ParamField records them); they disable Train. */
  readonly pending = new PendingEditsState();
  /** Bumped when keyboard focus should follow the selection onto the canvas. */
  focusTick = $state(0);
  commandsOpen = $state(false);

  readonly report = $derived(inferShapes(this.#spec));
  readonly errors = $derived(validateSpec(this.#spec));
  readonly warnings = $derived.by(() => {
    try {
      return lintSpec(this.#spec);
    } catch {
      return [];
    }
  });
  readonly chain = $derived(chainOf(this.#spec));
  readonly blocker = $derived(trainBlocker(this.#spec, this.errors, this.report, this.pending.blocking('builder')));
  readonly python = $derived.by(() => {
    try {
      return twinForProject(this.#spec, this.run);
    } catch {
      return null;
    }
  });
}

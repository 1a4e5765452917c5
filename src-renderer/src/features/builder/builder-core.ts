/**
 * The builder's editing core, in plain TypeScript so vitest tests it: the spec with undo/redo, the selection, the
 * clipboard and every edit the UI offers. The edits themselves are the pure functions of graph-edit.ts and
 * clipboard.ts; this class records them.
 *
 * BuilderState (builder.svelte.ts) extends it and keeps the same five values in `$state` by overriding the
 * protected accessors, so the UI reacts without this file knowing about Svelte.
 */
import { DEFAULT_RUN, type ProjectRun } from '../../../../common/project';
import { getPreset, type LossName, type ModelSpec, type OpName, type OptimizerName, type ParamValue, type Params } from '../../../../common/model-spec';
import { copyNodes, pasteFragment, type Fragment } from './clipboard';
import {
  addFree, appendAfter, connect, emptySpec, insertOnEdge, moveNodes, removeEdge, removeNodes, setLoss, setOptimizer,
  setParam, setSectionParam, type Section,
} from './graph-edit';
import { History } from './history';
import { layoutSpec, type Point } from './layout';

export class BuilderCore {
  protected readonly history = new History<ModelSpec>(emptySpec());
  #clipboard: Fragment | null = null;
  #listeners = new Set<(spec: ModelSpec) => void>();
  #plain = {
    spec: this.history.present, selection: [] as string[], edge: null as number | null, undo: false, redo: false,
    run: DEFAULT_RUN, revision: 0,
  };

  // Storage, overridden by BuilderState with $state fields.
  protected get specValue(): ModelSpec { return this.#plain.spec; }
  protected set specValue(v: ModelSpec) { this.#plain.spec = v; }
  protected get selectionValue(): string[] { return this.#plain.selection; }
  protected set selectionValue(v: string[]) { this.#plain.selection = v; }
  protected get edgeValue(): number | null { return this.#plain.edge; }
  protected set edgeValue(v: number | null) { this.#plain.edge = v; }
  protected get undoValue(): boolean { return this.#plain.undo; }
  protected set undoValue(v: boolean) { this.#plain.undo = v; }
  protected get redoValue(): boolean { return this.#plain.redo; }
  protected set redoValue(v: boolean) { this.#plain.redo = v; }
  protected get runValue(): ProjectRun { return this.#plain.run; }
  protected set runValue(v: ProjectRun) { this.#plain.run = v; }
  protected get revisionValue(): number { return this.#plain.revision; }
  protected set revisionValue(v: number) { this.#plain.revision = v; }
  /** Keyboard focus should follow the selection onto the canvas (BuilderState bumps a counter). */
  protected requestFocus(): void {}

  get spec(): ModelSpec { return this.specValue; }
  get selection(): readonly string[] { return this.selectionValue; }
  /** The one selected node, or null for none or several. */
  get selected(): string | null { return this.selectionValue.length === 1 ? this.selectionValue[0] : null; }
  get selectedEdge(): number | null { return this.edgeValue; }
  get canUndo(): boolean { return this.undoValue; }
  get canRedo(): boolean { return this.redoValue; }
  /**
   * Counts whole-document changes (New, a preset, an opened or restored project). A field's typed text that was
   * never committed belongs to the document it was typed in: fields drop it when this changes.
   */
  get revision(): number { return this.revisionValue; }

  /** The run settings of the project (the Train tab's fields, the twin's flags). */
  get run(): ProjectRun { return this.runValue; }
  /** Replaces them, as opening a project does. */
  set run(v: ProjectRun) { this.runValue = v; }
  /** Changes some run settings, as the Train tab does; autosave hears of it like a spec change. */
  setRun(patch: Partial<ProjectRun>): void {
    this.runValue = { ...this.runValue, ...patch };
    for (const listener of this.#listeners) listener(this.specValue);
  }

  /** Called after every change of the spec (autosave listens). */
  onChange(listener: (spec: ModelSpec) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #show(spec: ModelSpec): void {
    this.specValue = spec;
    this.undoValue = this.history.canUndo;
    this.redoValue = this.history.canRedo;
    const ids = new Set(spec.nodes.map((n) => n.id));
    if (this.selectionValue.some((id) => !ids.has(id))) this.selectionValue = this.selectionValue.filter((id) => ids.has(id));
    if (this.edgeValue !== null && this.edgeValue >= spec.edges.length) this.edgeValue = null;
    for (const listener of this.#listeners) listener(spec);
  }

  /** Records an edit (null means it was refused, e.g. a cycle) and optionally selects nodes. */
  apply(next: ModelSpec | null, select?: string[]): boolean {
    if (!next) return false;
    this.history.commit(next);
    if (select) this.select(select);
    this.#show(next);
    return true;
  }

  /** Replaces the whole graph (a preset, an opened project); undo brings the previous work back. */
  replace(spec: ModelSpec): void {
    this.revisionValue += 1;
    this.apply(structuredClone(spec), []);
  }

  /** Starts over from an autosave: the restored graph has no history to undo into. */
  restore(spec: ModelSpec): void {
    this.revisionValue += 1;
    this.history.reset(spec);
    this.selectionValue = [];
    this.#show(spec);
  }

  undo(): void { this.#show(this.history.undo()); }
  redo(): void { this.#show(this.history.redo()); }

  select(ids: string[], focus = false): void {
    this.selectionValue = ids;
    this.edgeValue = null;
    if (focus) this.requestFocus();
  }
  toggle(id: string): void {
    this.select(this.selectionValue.includes(id) ? this.selectionValue.filter((s) => s !== id) : [...this.selectionValue, id]);
  }
  selectEdge(index: number | null): void {
    this.selectionValue = [];
    this.edgeValue = index;
  }

  /** Adds after `after`, else after the selected node, else at the chain's end; `at` is where it was dropped. */
  add(op: OpName, after?: string, at?: Point): void {
    const { spec, id } = appendAfter(this.spec, op, after ?? this.selected ?? undefined, at);
    this.apply(spec, [id]);
  }
  addOnEdge(op: OpName, edgeIndex: number, at?: Point): void {
    const { spec, id } = insertOnEdge(this.spec, edgeIndex, op, at);
    this.apply(spec, [id]);
  }
  addAt(op: OpName, at: Point): void {
    const { spec, id } = addFree(this.spec, op, at);
    this.apply(spec, [id]);
  }
  connect(from: string, to: string): boolean {
    return this.apply(connect(this.spec, from, to));
  }
  /** Wires from → to, or removes that edge when it exists (wiring from the keyboard toggles). */
  toggleEdge(from: string, to: string): 'connected' | 'disconnected' | 'refused' {
    const index = this.spec.edges.findIndex((e) => e.from === from && e.to === to);
    if (index >= 0) return this.apply(removeEdge(this.spec, index)) ? 'disconnected' : 'refused';
    return this.connect(from, to) ? 'connected' : 'refused';
  }
  /** Deletes the selected edge, or else the selected nodes. */
  deleteSelection(): void {
    if (this.edgeValue !== null) this.apply(removeEdge(this.spec, this.edgeValue));
    else if (this.selectionValue.length) this.apply(removeNodes(this.spec, this.selectionValue), []);
  }
  move(ids: readonly string[], dx: number, dy: number): void {
    if (dx !== 0 || dy !== 0) this.apply(moveNodes(this.spec, ids, dx, dy));
  }
  setParam(id: string, name: string, value: ParamValue | undefined): void {
    this.apply(setParam(this.spec, id, name, value));
  }
  setSectionParam(section: Section, name: string, value: ParamValue | undefined): void {
    this.apply(setSectionParam(this.spec, section, name, value));
  }
  setLoss(type: LossName): void {
    this.apply(setLoss(this.spec, type));
  }
  setOptimizer(type: OptimizerName): void {
    this.apply(setOptimizer(this.spec, type));
  }
  /** '' removes the scheduler. */
  setScheduler(type: string): void {
    const rest = { ...this.spec };
    delete rest.scheduler;
    this.apply(type === '' ? rest : { ...rest, scheduler: { type: type as NonNullable<ModelSpec['scheduler']>['type'], params: {} as Params } });
  }
  setData(patch: Partial<ModelSpec['data']>): void {
    this.apply({ ...this.spec, data: { ...this.spec.data, ...patch } });
  }
  setName(name: string): void {
    if (name !== this.spec.name) this.apply({ ...this.spec, name });
  }
  layout(): void {
    this.apply(layoutSpec(this.spec));
  }
  loadPreset(name: string): void {
    const preset = getPreset(name);
    if (preset) this.replace(layoutSpec(preset));
  }
  /** New: an empty graph and a new project's run settings. */
  clear(): void {
    this.runValue = DEFAULT_RUN;
    this.replace(emptySpec());
  }

  copy(): void {
    this.#clipboard = copyNodes(this.spec, this.selectionValue);
  }
  paste(): void {
    if (!this.#clipboard) return;
    const { spec, ids } = pasteFragment(this.spec, this.#clipboard, this.selected ?? undefined);
    this.apply(spec, ids);
  }
}

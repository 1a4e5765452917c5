/**
 * The builder's state: the spec being edited (with undo/redo), the selection, and everything derived live from
 * the spec (shapes, errors, lint warnings, the PyTorch twin). The edits themselves are the pure functions of
 * graph-edit.ts and clipboard.ts; this class only records them.
 */
import {
  chainOf, getPreset, inferShapes, lintSpec, toPyTorch, validateSpec,
  type LossName, type ModelSpec, type OpName, type OptimizerName, type ParamValue, type Params,
} from '../../../../common/spec';
import type { ProjectRun } from '../../../../common/project';
import { copyNodes, pasteFragment, type Fragment } from './clipboard';
import {
  addFree, appendAfter, connect, emptySpec, insertOnEdge, moveNodes, removeEdge, removeNodes, setLoss, setOptimizer,
  setParam, setSectionParam, type Section,
} from './graph-edit';
import { History } from './history';
import { layoutSpec, type Point } from './layout';
import { trainBlocker } from './summary';

export class BuilderState {
  #history = new History<ModelSpec>(emptySpec());
  #spec = $state.raw<ModelSpec>(this.#history.present);
  #selection = $state.raw<string[]>([]);
  #selectedEdge = $state<number | null>(null);
  #canUndo = $state(false);
  #canRedo = $state(false);
  #clipboard: Fragment | null = null;
  #listeners = new Set<(spec: ModelSpec) => void>();

  /** Run settings for the twin and the project file. */
  run = $state.raw<ProjectRun>({ epochs: 2, seed: 0 });
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
  readonly blocker = $derived(trainBlocker(this.#spec, this.errors, this.report));
  readonly python = $derived.by(() => {
    try {
      return toPyTorch(this.#spec, this.run);
    } catch {
      return null;
    }
  });

  get spec(): ModelSpec {
    return this.#spec;
  }
  get selection(): readonly string[] {
    return this.#selection;
  }
  get selected(): string | null {
    return this.#selection.length === 1 ? this.#selection[0] : null;
  }
  get selectedEdge(): number | null {
    return this.#selectedEdge;
  }
  get canUndo(): boolean {
    return this.#canUndo;
  }
  get canRedo(): boolean {
    return this.#canRedo;
  }

  /** Called after every change of the spec (autosave listens). */
  onChange(listener: (spec: ModelSpec) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #show(spec: ModelSpec): void {
    this.#spec = spec;
    this.#canUndo = this.#history.canUndo;
    this.#canRedo = this.#history.canRedo;
    const ids = new Set(spec.nodes.map((n) => n.id));
    this.#selection = this.#selection.filter((id) => ids.has(id));
    if (this.#selectedEdge !== null && this.#selectedEdge >= spec.edges.length) this.#selectedEdge = null;
    for (const listener of this.#listeners) listener(spec);
  }

  /** Records an edit (null means it was refused, e.g. a cycle) and optionally selects nodes. */
  apply(next: ModelSpec | null, select?: string[]): boolean {
    if (!next) return false;
    this.#history.commit(next);
    if (select) this.select(select);
    this.#show(next);
    return true;
  }

  /** Replaces the whole graph (a preset, an opened project); undo brings the previous work back. */
  replace(spec: ModelSpec): void {
    this.apply(structuredClone(spec), []);
  }

  undo(): void {
    this.#show(this.#history.undo());
  }
  redo(): void {
    this.#show(this.#history.redo());
  }

  select(ids: string[], focus = false): void {
    this.#selection = ids;
    this.#selectedEdge = null;
    if (focus) this.focusTick += 1;
  }
  toggle(id: string): void {
    this.select(this.#selection.includes(id) ? this.#selection.filter((s) => s !== id) : [...this.#selection, id]);
  }
  selectEdge(index: number | null): void {
    this.#selection = [];
    this.#selectedEdge = index;
  }

  add(op: OpName, after?: string): void {
    const { spec, id } = appendAfter(this.#spec, op, after ?? this.selected ?? undefined);
    this.apply(spec, [id]);
  }
  addOnEdge(op: OpName, edgeIndex: number): void {
    const { spec, id } = insertOnEdge(this.#spec, edgeIndex, op);
    this.apply(spec, [id]);
  }
  addAt(op: OpName, at: Point): void {
    const { spec, id } = addFree(this.#spec, op, at);
    this.apply(spec, [id]);
  }
  connect(from: string, to: string): boolean {
    return this.apply(connect(this.#spec, from, to));
  }
  deleteSelection(): void {
    if (this.#selectedEdge !== null) this.apply(removeEdge(this.#spec, this.#selectedEdge));
    else if (this.#selection.length) this.apply(removeNodes(this.#spec, this.#selection), []);
  }
  move(ids: readonly string[], dx: number, dy: number): void {
    if (dx !== 0 || dy !== 0) this.apply(moveNodes(this.#spec, ids, dx, dy));
  }
  setParam(id: string, name: string, value: ParamValue | undefined): void {
    this.apply(setParam(this.#spec, id, name, value));
  }
  setSectionParam(section: Section, name: string, value: ParamValue | undefined): void {
    this.apply(setSectionParam(this.#spec, section, name, value));
  }
  setLoss(type: LossName): void {
    this.apply(setLoss(this.#spec, type));
  }
  setOptimizer(type: OptimizerName): void {
    this.apply(setOptimizer(this.#spec, type));
  }
  setScheduler(type: string): void {
    const rest = { ...this.#spec };
    delete rest.scheduler;
    this.apply(type === '' ? rest : { ...rest, scheduler: { type: type as NonNullable<ModelSpec['scheduler']>['type'], params: {} as Params } });
  }
  setData(patch: Partial<ModelSpec['data']>): void {
    this.apply({ ...this.#spec, data: { ...this.#spec.data, ...patch } });
  }
  setName(name: string): void {
    if (name !== this.#spec.name) this.apply({ ...this.#spec, name });
  }
  layout(): void {
    this.apply(layoutSpec(this.#spec));
  }
  loadPreset(name: string): void {
    const preset = getPreset(name);
    if (preset) this.replace(layoutSpec(preset));
  }
  /** Starts over from an autosave: the restored graph has no history to undo into. */
  restore(spec: ModelSpec): void {
    this.#history.reset(spec);
    this.#selection = [];
    this.#show(spec);
  }
  clear(): void {
    this.replace(emptySpec());
  }

  copy(): void {
    this.#clipboard = copyNodes(this.#spec, this.#selection);
  }
  paste(): void {
    if (!this.#clipboard) return;
    const { spec, ids } = pasteFragment(this.#spec, this.#clipboard, this.selected ?? undefined);
    this.apply(spec, ids);
  }
}

/**
 * Projects, in plain TypeScript so vitest tests it: save to and open from the app data folder (the projects API),
 * download and upload a `.layerlab.json` file, export the PyTorch twin as a .py file, and autosave (at most once
 * per `delayMs`, always the latest graph) so the last session comes back on start. A file that cannot be opened
 * only sets the message: the graph on screen is untouched.
 *
 * ProjectsState (projects.svelte.ts) extends it, keeping `message` and `recent` in `$state`.
 */
import type { LayerLabApi } from '../../../../common/api';
import type { ProjectEntry, ProjectFileKind } from '../../../../common/project-api';
import { makeProject, parseProject, projectFileName, type ProjectFile, type ProjectProblem, type ProjectRun } from '../../../../common/project';
import { pyName, type ModelSpec } from '../../../../common/model-spec';
import { hostError, type HostError } from '../../lib/i18n/translate';

export interface ProjectMessage {
  tone: 'ok' | 'error';
  text: string;
}

/** What projects need of the builder (BuilderState has it). */
export interface ProjectBuilder {
  readonly spec: ModelSpec;
  readonly canUndo: boolean;
  readonly python: string | null;
  run: ProjectRun;
  onChange(listener: () => void): () => void;
  replace(spec: ModelSpec): void;
  restore(spec: ModelSpec): void;
}

export interface ProjectsDeps {
  api: Pick<
    LayerLabApi,
    'saveProject' | 'loadProject' | 'listRecentProjects' | 'autosaveProject' | 'loadAutosave' | 'exportProjectFile' | 'importProjectFile'
  >;
  builder: ProjectBuilder;
  /** i18n's t() for a `builder.project.*` key. */
  translate(key: string, params?: Record<string, string | number>): string;
  /**
   * The words of an error the host sent, in the learner's language: its coded sentence, else its own message (the
   * `builder.project.*Failed` sentence frames it). Default: the English message.
   */
  sayHost?(error: HostError): string;
  /** Offers a file to the user (a download in the browser, a save dialog in Electron). */
  saveFile(text: string, type: string, fileName: string): void;
  /** Copies a value before it crosses to main ($state.snapshot in the app). */
  snapshot?<T>(value: T): T;
  delayMs?: number;
}

export class ProjectsCore {
  #deps: ProjectsDeps;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stop: (() => void) | null = null;
  #plain = { message: null as ProjectMessage | null, recent: [] as ProjectEntry[] };

  protected get messageValue(): ProjectMessage | null { return this.#plain.message; }
  protected set messageValue(v: ProjectMessage | null) { this.#plain.message = v; }
  protected get recentValue(): ProjectEntry[] { return this.#plain.recent; }
  protected set recentValue(v: ProjectEntry[]) { this.#plain.recent = v; }

  constructor(deps: ProjectsDeps) {
    this.#deps = deps;
  }

  get message(): ProjectMessage | null { return this.messageValue; }
  get recent(): readonly ProjectEntry[] { return this.recentValue; }

  /** Starts autosaving and restores the last session; returns when both first answers are in. */
  async connect(): Promise<void> {
    this.dispose();
    this.#stop = this.#deps.builder.onChange(() => this.#schedule());
    await Promise.all([this.#restore(), this.refreshRecent()]);
  }

  dispose(): void {
    this.#stop?.();
    this.#stop = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** True while an autosave is waiting for its turn. */
  get pending(): boolean {
    return this.#timer !== null;
  }

  #current(): ProjectFile {
    const copy = this.#deps.snapshot ?? (<T>(v: T) => v);
    return makeProject(copy(this.#deps.builder.spec), copy(this.#deps.builder.run));
  }

  #schedule(): void {
    this.#timer ??= setTimeout(() => void this.autosaveNow(), this.#deps.delayMs ?? 600);
  }

  async autosaveNow(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#deps.api.autosaveProject(this.#current());
  }

  async #restore(): Promise<void> {
    const envelope = await this.#deps.api.loadAutosave();
    // Work started before the answer came wins over the autosave.
    if (!envelope.ok || !envelope.value || this.#deps.builder.canUndo) return;
    this.#deps.builder.restore(envelope.value.spec);
    this.#deps.builder.run = envelope.value.run;
    this.messageValue = this.#say('ok', 'builder.project.restored');
  }

  async refreshRecent(): Promise<void> {
    const envelope = await this.#deps.api.listRecentProjects();
    if (envelope.ok) this.recentValue = envelope.value;
  }

  /** Saves under the spec's name (and autosaves too, so a reload finds exactly this). */
  async save(): Promise<void> {
    const name = this.#deps.builder.spec.name?.trim() || 'untitled';
    const [envelope] = await Promise.all([this.#deps.api.saveProject(name, this.#current()), this.autosaveNow()]);
    this.messageValue = envelope.ok
      ? this.#say('ok', 'builder.project.saved', { name: envelope.value.name })
      : this.#sayFailure('builder.project.saveFailed', {}, envelope.error);
    await this.refreshRecent();
  }

  async open(name: string): Promise<void> {
    const envelope = await this.#deps.api.loadProject(name);
    if (!envelope.ok) {
      this.messageValue = this.#sayFailure('builder.project.openFailed', { name }, envelope.error);
      return;
    }
    this.#apply(envelope.value);
    this.messageValue = this.#say('ok', 'builder.project.opened', { name });
  }

  #apply(project: ProjectFile): void {
    this.#deps.builder.replace(project.spec);
    this.#deps.builder.run = project.run;
  }

  /**
   * A message worded when it is shown, not when it is made: `text` asks translate() each time, so a message on
   * screen follows a switch of language (in the app, t() reads the reactive locale).
   */
  #say(tone: ProjectMessage['tone'], key: string, params?: Record<string, string | number>): ProjectMessage {
    const translate = this.#deps.translate;
    return { tone, get text() { return translate(key, params); } };
  }

  /** A failure the host sent, `{message}` in `key` being its own sentence worded in the language shown (sayHost). */
  #sayFailure(key: string, params: Record<string, string | number>, error: HostError): ProjectMessage {
    const { translate, sayHost = (e: HostError) => e.message } = this.#deps;
    const kept = hostError(error);
    return { tone: 'error', get text() { return translate(key, { ...params, message: sayHost(kept) }); } };
  }

  /** Opens an uploaded file's text; a broken or newer file only sets the message. */
  openText(text: string, fileName: string): void {
    const parsed = parseProject(text);
    if (!parsed.ok) {
      this.messageValue = this.#badFile(parsed.problem, parsed.detail);
      return;
    }
    this.#apply(parsed.project);
    this.messageValue = this.#say('ok', 'builder.project.opened', { name: fileName });
  }

  #badFile(problem: ProjectProblem, detail: string): ProjectMessage {
    const key = {
      'not-json': 'builder.project.bad.notJson',
      'not-a-project': 'builder.project.bad.notProject',
      'newer-version': 'builder.project.bad.newer',
      'bad-spec': 'builder.project.bad.spec',
      'too-large': 'builder.project.bad.tooLarge',
    }[problem];
    return this.#say('error', key, { detail });
  }

  /** Electron: a native save dialog; elsewhere a download. */
  async download(): Promise<void> {
    const name = this.#deps.builder.spec.name?.trim() || 'untitled';
    await this.#export(`${JSON.stringify(this.#current(), null, 2)}\n`, 'application/json', projectFileName(name), 'project');
  }

  async downloadPython(): Promise<void> {
    const code = this.#deps.builder.python;
    const name = pyName((this.#deps.builder.spec.name ?? 'model').toLowerCase());
    if (code !== null) await this.#export(code, 'text/x-python', `${name}.py`, 'python');
  }

  async #export(text: string, type: string, fileName: string, kind: ProjectFileKind): Promise<void> {
    const envelope = await this.#deps.api.exportProjectFile(fileName, text, kind);
    if (envelope.ok) {
      if (envelope.value !== null) this.messageValue = this.#say('ok', 'builder.project.exported', { path: envelope.value });
    } else if (envelope.error.code === 'unsupported') {
      this.#deps.saveFile(text, type, fileName);
    } else {
      this.messageValue = this.#sayFailure('builder.project.saveFailed', {}, envelope.error);
    }
  }

  /**
   * Electron: a native open dialog, and the file it read is opened like an upload. Resolves false where the host
   * has no dialog (the browser), so the caller shows its file input instead.
   */
  async pickFile(): Promise<boolean> {
    const envelope = await this.#deps.api.importProjectFile();
    if (!envelope.ok) {
      if (envelope.error.code === 'unsupported') return false;
      this.messageValue = this.#sayFailure('builder.project.importFailed', {}, envelope.error);
    } else if (envelope.value) {
      this.openText(envelope.value.text, envelope.value.name);
    }
    return true;
  }
}

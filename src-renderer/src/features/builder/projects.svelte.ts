/**
 * Projects: save to and open from the app data folder (through the host API), download and upload a
 * `.layerlab.json` file, export the PyTorch twin as a .py file, and autosave every change (debounced) so the last
 * session comes back on start. A file that cannot be opened leaves the graph on screen untouched.
 */
import type { ProjectEntry } from '../../../../common/project-api';
import { makeProject, parseProject, projectFileName, type ProjectFile, type ProjectProblem } from '../../../../common/project';
import { pyName } from '../../../../common/spec';
import type { Host } from '../../lib/host/host';
import { t } from '../../lib/i18n/i18n.svelte';
import type { BuilderState } from './builder.svelte';

const AUTOSAVE_DELAY_MS = 600;

export interface ProjectMessage {
  tone: 'ok' | 'error';
  text: string;
}

export class ProjectsState {
  #host: Host;
  #builder: BuilderState;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stop: (() => void) | null = null;
  #recent = $state.raw<ProjectEntry[]>([]);
  message = $state.raw<ProjectMessage | null>(null);

  constructor(host: Host, builder: BuilderState) {
    this.#host = host;
    this.#builder = builder;
  }

  get recent(): readonly ProjectEntry[] {
    return this.#recent;
  }

  connect(): void {
    this.dispose();
    const stopChanges = this.#builder.onChange(() => this.#scheduleAutosave());
    // Best effort for the last edits when the window goes away (the socket may close first in the browser).
    const flush = () => this.#timer && void this.#autosaveNow();
    window.addEventListener('pagehide', flush);
    this.#stop = () => {
      stopChanges();
      window.removeEventListener('pagehide', flush);
    };
    void this.#restore();
    void this.refreshRecent();
  }

  dispose(): void {
    this.#stop?.();
    this.#stop = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #current(): ProjectFile {
    return makeProject($state.snapshot(this.#builder.spec) as ProjectFile['spec'], $state.snapshot(this.#builder.run));
  }

  /** At most one autosave per AUTOSAVE_DELAY_MS, always of the latest graph (a steady stream of edits still saves). */
  #scheduleAutosave(): void {
    this.#timer ??= setTimeout(() => void this.#autosaveNow(), AUTOSAVE_DELAY_MS);
  }

  async #autosaveNow(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#host.api.autosaveProject(this.#current());
  }

  async #restore(): Promise<void> {
    const envelope = await this.#host.api.loadAutosave();
    // Work started before the answer came wins over the autosave.
    if (!envelope.ok || !envelope.value || this.#builder.canUndo) return;
    this.#builder.restore(envelope.value.spec);
    this.#builder.run = envelope.value.run;
    this.message = { tone: 'ok', text: t('builder.project.restored') };
  }

  async refreshRecent(): Promise<void> {
    const envelope = await this.#host.api.listRecentProjects();
    if (envelope.ok) this.#recent = envelope.value;
  }

  async save(): Promise<void> {
    const name = this.#builder.spec.name?.trim() || 'untitled';
    const [envelope] = await Promise.all([this.#host.api.saveProject(name, this.#current()), this.#autosaveNow()]);
    this.message = envelope.ok
      ? { tone: 'ok', text: t('builder.project.saved', { name: envelope.value.name }) }
      : { tone: 'error', text: t('builder.project.saveFailed', { message: envelope.error.message }) };
    await this.refreshRecent();
  }

  async open(name: string): Promise<void> {
    const envelope = await this.#host.api.loadProject(name);
    if (!envelope.ok) {
      this.message = { tone: 'error', text: t('builder.project.openFailed', { name, message: envelope.error.message }) };
      return;
    }
    this.#apply(envelope.value);
    this.message = { tone: 'ok', text: t('builder.project.opened', { name }) };
  }

  #apply(project: ProjectFile): void {
    this.#builder.replace(project.spec);
    this.#builder.run = project.run;
  }

  /** Opens an uploaded file's text; a broken or newer file only sets the message. */
  openText(text: string, fileName: string): void {
    const parsed = parseProject(text);
    if (!parsed.ok) {
      this.message = { tone: 'error', text: badFileText(parsed.problem, parsed.detail) };
      return;
    }
    this.#apply(parsed.project);
    this.message = { tone: 'ok', text: t('builder.project.opened', { name: fileName }) };
  }

  download(): void {
    const name = this.#builder.spec.name?.trim() || 'untitled';
    saveBlob(`${JSON.stringify(this.#current(), null, 2)}\n`, 'application/json', projectFileName(name));
  }

  downloadPython(): void {
    const code = this.#builder.python;
    if (code !== null) saveBlob(code, 'text/x-python', `${pyName((this.#builder.spec.name ?? 'model').toLowerCase())}.py`);
  }
}

function badFileText(problem: ProjectProblem, detail: string): string {
  switch (problem) {
    case 'not-json': return t('builder.project.bad.notJson', { detail });
    case 'not-a-project': return t('builder.project.bad.notProject');
    case 'newer-version': return t('builder.project.bad.newer', { detail });
    case 'bad-spec': return t('builder.project.bad.spec', { detail });
    case 'too-large': return t('builder.project.bad.tooLarge');
  }
}

/** A download in both hosts: the browser saves it, Electron asks where. */
function saveBlob(text: string, type: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

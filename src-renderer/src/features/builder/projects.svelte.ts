/**
 * Projects for the UI: ProjectsCore (projects-core.ts, tested without Svelte) with `message` and `recent` in
 * `$state`, wired to the host's API, i18n, the browser's download, and a flush of the autosave on pagehide.
 */
import type { ProjectEntry } from '../../../../common/project-api';
import type { Host } from '../../lib/host/host';
import { i18n, sayEngine } from '../../lib/i18n/i18n.svelte';
import type { MessageKey } from '../../lib/i18n/en';
import { CATALOGS, format } from '../../lib/i18n/translate';
import type { BuilderState } from './builder.svelte';
import { ProjectsCore, type ProjectMessage } from './projects-core';

export type { ProjectMessage } from './projects-core';

export class ProjectsState extends ProjectsCore {
  #message = $state.raw<ProjectMessage | null>(null);
  #recent = $state.raw<ProjectEntry[]>([]);
  #unlisten: (() => void) | null = null;

  protected override get messageValue(): ProjectMessage | null { return this.#message; }
  protected override set messageValue(v: ProjectMessage | null) { this.#message = v; }
  protected override get recentValue(): ProjectEntry[] { return this.#recent; }
  protected override set recentValue(v: ProjectEntry[]) { this.#recent = v; }

  constructor(host: Host, builder: BuilderState) {
    super({
      api: host.api,
      builder,
      translate: (key, params) => format(CATALOGS[i18n.locale][key as MessageKey], params),
      sayHost: (error) => sayEngine(error.text ? [error.text] : undefined, error.message),
      saveFile,
      snapshot: (value) => $state.snapshot(value) as typeof value,
    });
  }

  override async connect(): Promise<void> {
    // Best effort for the last edits when the window goes away (the socket may close first in the browser).
    const flush = () => this.pending && void this.autosaveNow();
    window.addEventListener('pagehide', flush);
    this.#unlisten = () => window.removeEventListener('pagehide', flush);
    await super.connect();
  }

  override dispose(): void {
    this.#unlisten?.();
    this.#unlisten = null;
    super.dispose();
  }
}

/** A download in both hosts: the browser saves it, Electron asks where. */
function saveFile(text: string, type: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/**
 * Projects on disk: `<dataDir>/projects/<name>.layerlab.json`, plus `autosave.layerlab.json` in a folder of its own
 * so no project name can clash with it. Writes go to a temporary file first and are renamed into place, so a crash
 * mid-save never leaves half a project. Everything read back is checked (a file edited by hand may be broken).
 *
 * Nothing is written that could not be read back: the text is put through the loader's own parseProject first,
 * size limit included, and is pretty-printed only when that still fits (a 42,000-node project is 2.8 MB compact
 * but 6.4 MB pretty, over the 5 MB limit).
 *
 * Several names map to one file (`a/b` and `a_b` are both `a_b.layerlab.json`; `ABC` and `abc` are one file where
 * the file system ignores case), so the store writes the exact name as the file's first field, `"name"`, and
 * refuses to save over a file that holds another name's project. Files from before have no `name`: their stem is
 * their name. parseProject ignores the field.
 */
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { checkProject, parseProject, projectFileName, PROJECT_EXTENSION, PROJECT_MAX_BYTES, type ProjectFile } from '../../../common/project';
import type { ProjectEntry } from '../../../common/project-api';
import { engineText, englishText, type EngineText } from '../../../common/engine-text';

/** A refusal of the store, with its API code and the sentence as a code (common/engine-text.ts) for the renderer to word. */
export class ProjectError extends Error {
  constructor(readonly code: 'not-found' | 'bad-project' | 'too-large' | 'name-taken', readonly text: EngineText) {
    super(englishText(text));
    this.name = 'ProjectError';
  }
}

export class ProjectStore {
  readonly dir: string;
  readonly autosaveFile: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'projects');
    this.autosaveFile = join(dataDir, 'projects-autosave', `autosave${PROJECT_EXTENSION}`);
  }

  async save(name: string, project: ProjectFile): Promise<ProjectEntry> {
    const trimmed = name.trim();
    const file = join(this.dir, projectFileName(name));
    const text = serialize(project, trimmed);
    const holder = await savedName(file);
    if (holder !== null && holder !== trimmed) {
      throw new ProjectError('name-taken', engineText('project.nameTaken', { name: trimmed, file: basename(file), holder }));
    }
    await writeAtomically(file, text);
    return { name: trimmed, file, savedAt: (await stat(file)).mtimeMs };
  }

  async load(name: string): Promise<ProjectFile> {
    return readProject(join(this.dir, projectFileName(name)), name);
  }

  /** Newest first. */
  async list(): Promise<ProjectEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const entries: ProjectEntry[] = [];
    for (const fileName of names) {
      if (!fileName.endsWith(PROJECT_EXTENSION)) continue;
      const file = join(this.dir, fileName);
      const info = await stat(file).catch(() => null);
      if (info?.isFile()) entries.push({ name: (await savedName(file)) ?? fileName.slice(0, -PROJECT_EXTENSION.length), file, savedAt: info.mtimeMs });
    }
    return entries.sort((a, b) => b.savedAt - a.savedAt || a.name.localeCompare(b.name));
  }

  /** Refused (and the last autosave kept) when the project could not be loaded back. */
  async autosave(project: ProjectFile): Promise<null> {
    await writeAtomically(this.autosaveFile, serialize(project, 'autosave'));
    return null;
  }

  async loadAutosave(): Promise<ProjectFile | null> {
    try {
      return await readProject(this.autosaveFile, 'autosave');
    } catch (error) {
      // A missing or broken autosave is not worth an error on start-up: the user starts from an empty canvas.
      if (error instanceof ProjectError) return null;
      throw error;
    }
  }
}

/** The text to write: pretty when it fits the load limit, compact when only that fits; refused when neither does. */
function serialize(project: ProjectFile, name: string): string {
  const checked = checkProject(project);
  if (!checked.ok) throw new ProjectError('bad-project', engineText('project.invalid', { problem: checked.problem, detail: checked.detail }));
  const named = { name, ...checked.project };
  const pretty = `${JSON.stringify(named, null, 2)}\n`;
  const text = pretty.length <= PROJECT_MAX_BYTES ? pretty : `${JSON.stringify(named)}\n`;
  const readBack = parseProject(text);
  if (readBack.ok) return text;
  if (readBack.problem === 'too-large') {
    const mb = (n: number) => (n / 1_000_000).toFixed(1);
    throw new ProjectError('too-large', engineText('project.tooLarge', { mb: mb(text.length), limitMb: mb(PROJECT_MAX_BYTES) }));
  }
  throw new ProjectError('bad-project', engineText('project.notReadBack', { problem: readBack.problem, detail: readBack.detail }));
}

/**
 * The name the project in `file` was saved under: its `"name"` field, read from the first few KB only (the store
 * writes it first), or null when there is no such file. A file without one (written before names were kept)
 * answers its stem.
 */
async function savedName(file: string): Promise<string | null> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return null;
  }
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const match = /^\{\s*"name"\s*:\s*("(?:[^"\\]|\\.)*")/.exec(head.subarray(0, bytesRead).toString('utf8'));
    const name: unknown = match ? JSON.parse(match[1]!) : null;
    return typeof name === 'string' ? name : basename(file).slice(0, -PROJECT_EXTENSION.length);
  } finally {
    await handle.close();
  }
}

async function readProject(file: string, name: string): Promise<ProjectFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ProjectError('not-found', engineText('project.notFound', { name }));
  }
  const parsed = parseProject(text);
  if (!parsed.ok) throw new ProjectError('bad-project', engineText('project.cannotOpen', { name, problem: parsed.problem, detail: parsed.detail }));
  return parsed.project;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, text, 'utf8');
    await rename(temp, file);
  } catch (error) {
    // A full disk must not also keep half a project lying next to the real one.
    await rm(temp, { force: true });
    throw error;
  }
}

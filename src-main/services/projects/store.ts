/**
 * Projects on disk: `<dataDir>/projects/<name>.layerlab.json`, plus `autosave.layerlab.json` in a folder of its own
 * so no project name can clash with it. Writes go to a temporary file first and are renamed into place, so a crash
 * mid-save never leaves half a project. Everything read back is checked (a file edited by hand may be broken).
 */
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { checkProject, parseProject, projectFileName, PROJECT_EXTENSION, type ProjectFile } from '../../../common/project';
import type { ProjectEntry } from '../../../common/project-api';

export class ProjectError extends Error {
  constructor(readonly code: 'not-found' | 'bad-project', message: string) {
    super(message);
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
    const file = join(this.dir, projectFileName(name));
    await writeAtomically(file, checked(project));
    return { name: name.trim(), file, savedAt: (await stat(file)).mtimeMs };
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
      if (info?.isFile()) entries.push({ name: fileName.slice(0, -PROJECT_EXTENSION.length), file, savedAt: info.mtimeMs });
    }
    return entries.sort((a, b) => b.savedAt - a.savedAt || a.name.localeCompare(b.name));
  }

  async autosave(project: ProjectFile): Promise<null> {
    await writeAtomically(this.autosaveFile, checked(project));
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

function checked(project: ProjectFile): string {
  const parsed = checkProject(project);
  if (!parsed.ok) throw new ProjectError('bad-project', `not a valid project (${parsed.problem}: ${parsed.detail})`);
  return `${JSON.stringify(parsed.project, null, 2)}\n`;
}

async function readProject(file: string, name: string): Promise<ProjectFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ProjectError('not-found', `no project named "${name}"`);
  }
  const parsed = parseProject(text);
  if (!parsed.ok) throw new ProjectError('bad-project', `project "${name}" cannot be opened (${parsed.problem}: ${parsed.detail})`);
  return parsed.project;
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text, 'utf8');
  await rename(temp, file);
}

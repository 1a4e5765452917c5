/**
 * The projects part of the renderer↔main API (declared in api.ts): save and open `.layerlab.json` files in the
 * app data folder (`<dataDir>/projects/`), list them newest first, and keep one autosave there. Projects are named,
 * never addressed by path, so the renderer cannot reach files outside that folder.
 *
 * Error codes: saveProject and autosaveProject answer 'too-large' when the project could not be loaded back
 * (nothing is written, and the last autosave stays), and saveProject answers 'name-taken' when the name maps to the
 * file of a project saved under another name (`a/b` and `a_b`); loadProject answers 'not-found' or 'bad-project'.
 */
import { checkProject, type ProjectFile } from './project';

export interface ProjectEntry {
  /** The name the user saved it under (for a file from before names were kept: the file's stem). */
  name: string;
  file: string;
  /** Epoch ms of the last save. */
  savedAt: number;
}

export const PROJECT_NAME_MAX = 80;

/** What a native save dialog writes: a project file or the PyTorch twin. */
export type ProjectFileKind = 'project' | 'python';

/** A file the user picked in a native open dialog, read by main. */
export interface PickedProjectFile {
  name: string;
  text: string;
}

function nameProblem(method: string, name: unknown): string | null {
  if (typeof name !== 'string' || name.trim() === '' || name.length > PROJECT_NAME_MAX) {
    return `${method}: name must be a non-empty string of at most ${PROJECT_NAME_MAX} characters`;
  }
  return null;
}

function projectProblem(method: string, value: unknown): string | null {
  const parsed = checkProject(value);
  return parsed.ok ? null : `${method}: not a valid project (${parsed.problem}: ${parsed.detail})`;
}

export const PROJECT_ARG_CHECKS = {
  saveProject: (args: unknown[]): string | null =>
    args.length !== 2 ? 'saveProject takes a name and a project' : nameProblem('saveProject', args[0]) ?? projectProblem('saveProject', args[1]),
  loadProject: (args: unknown[]): string | null => (args.length !== 1 ? 'loadProject takes a name' : nameProblem('loadProject', args[0])),
  listRecentProjects: (args: unknown[]): string | null => (args.length === 0 ? null : 'listRecentProjects takes no arguments'),
  autosaveProject: (args: unknown[]): string | null =>
    args.length !== 1 ? 'autosaveProject takes a project' : projectProblem('autosaveProject', args[0]),
  loadAutosave: (args: unknown[]): string | null => (args.length === 0 ? null : 'loadAutosave takes no arguments'),
  exportProjectFile: (args: unknown[]): string | null => {
    if (args.length !== 3) return 'exportProjectFile takes a file name, the text and a kind';
    const [name, text, kind] = args;
    if (typeof name !== 'string' || name === '' || name.length > 200 || /[\\/]/.test(name)) return 'exportProjectFile: file name must be a plain name';
    if (typeof text !== 'string' || text.length > 5_000_000) return 'exportProjectFile: text must be a string under 5 MB';
    return kind === 'project' || kind === 'python' ? null : "exportProjectFile: kind must be 'project' or 'python'";
  },
  importProjectFile: (args: unknown[]): string | null => (args.length === 0 ? null : 'importProjectFile takes no arguments'),
};

export type { ProjectFile };

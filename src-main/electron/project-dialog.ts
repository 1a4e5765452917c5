/**
 * Native save/open dialogs for project files and the PyTorch twin: main shows them and reads or writes the file,
 * so the sandboxed renderer never handles a path. Type-checked only here; the Electron binary cannot run in CI.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { BrowserWindow, dialog } from 'electron';
import { PROJECT_MAX_BYTES } from '../../common/project';
import type { PickedProjectFile, ProjectFileKind } from '../../common/project-api';
import { ApiCallError } from '../services/dispatcher';
import type { ProjectDialogs } from '../services/projects';

const FILTERS: Record<ProjectFileKind, Electron.FileFilter[]> = {
  project: [{ name: 'LayerLab project', extensions: ['layerlab.json', 'json'] }],
  python: [{ name: 'Python script', extensions: ['py'] }],
};

async function save(fileName: string, text: string, kind: ProjectFileKind): Promise<string | null> {
  const options: Electron.SaveDialogOptions = { defaultPath: fileName, filters: FILTERS[kind] };
  const parent = BrowserWindow.getFocusedWindow();
  const result = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
  if (result.canceled || !result.filePath) return null;
  await writeFile(result.filePath, text, 'utf8');
  return result.filePath;
}

async function open(): Promise<PickedProjectFile | null> {
  const options: Electron.OpenDialogOptions = {
    properties: ['openFile'],
    filters: [...FILTERS.project, { name: 'All files', extensions: ['*'] }],
  };
  const parent = BrowserWindow.getFocusedWindow();
  const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
  const path = result.canceled ? undefined : result.filePaths[0];
  if (!path) return null;
  // The renderer parses and explains a bad file; only refuse what cannot be a project at all.
  if ((await stat(path)).size > PROJECT_MAX_BYTES) throw new ApiCallError('too-large', `${basename(path)} is too large to be a LayerLab project`);
  return { name: basename(path), text: await readFile(path, 'utf8') };
}

export const projectDialogs: ProjectDialogs = { save, open };

/**
 * Import's native open-file dialog: main shows it (the sandboxed renderer never sees a path), and the picked paths
 * go straight to DatasetService.import. Type-checked only here; the Electron binary cannot run in CI.
 */
import { BrowserWindow, dialog } from 'electron';

export async function pickDatasetFiles(): Promise<string[] | null> {
  const options: Electron.OpenDialogOptions = {
    title: 'Import IDX files',
    properties: ['openFile', 'multiSelections'],
    // Raw IDX files have no extension (train-images-idx3-ubyte), so "All files" stays on offer.
    filters: [
      { name: 'IDX files', extensions: ['gz', 'idx', 'idx1-ubyte', 'idx3-ubyte', 'ubyte'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const parent = BrowserWindow.getFocusedWindow();
  const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
  return result.canceled ? null : result.filePaths;
}

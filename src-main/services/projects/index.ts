/** The projects service: its API handlers, to spread into createApiHandlers. */
import type { ApiHandlers } from '../../../common/api';
import type { PickedProjectFile, ProjectFileKind } from '../../../common/project-api';
import { ApiCallError } from '../dispatcher';
import { ProjectStore } from './store';

export { ProjectError, ProjectStore } from './store';

/** Native file dialogs for projects, which only Electron has (src-main/electron/project-dialog.ts). */
export interface ProjectDialogs {
  /** Asks where to save and writes the text there; the path, or null when cancelled. */
  save(fileName: string, text: string, kind: ProjectFileKind): Promise<string | null>;
  /** Asks for a project file and reads it; null when cancelled. */
  open(): Promise<PickedProjectFile | null>;
}

type ProjectMethod =
  | 'saveProject' | 'loadProject' | 'listRecentProjects' | 'autosaveProject' | 'loadAutosave' | 'exportProjectFile' | 'importProjectFile';

export function createProjectHandlers(
  dataDir: string, dialogs?: ProjectDialogs, store = new ProjectStore(dataDir),
): Pick<ApiHandlers, ProjectMethod> {
  const noDialog = () => new ApiCallError('unsupported', 'This host has no file dialog; the page downloads and uploads instead.');
  return {
    saveProject: (name, project) => store.save(name, project),
    loadProject: (name) => store.load(name),
    listRecentProjects: () => store.list(),
    autosaveProject: (project) => store.autosave(project),
    loadAutosave: () => store.loadAutosave(),
    exportProjectFile: async (fileName, text, kind) => {
      if (!dialogs) throw noDialog();
      return dialogs.save(fileName, text, kind);
    },
    importProjectFile: async () => {
      if (!dialogs) throw noDialog();
      return dialogs.open();
    },
  };
}

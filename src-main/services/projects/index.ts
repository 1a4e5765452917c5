/** The projects service: its API handlers, to spread into createApiHandlers. */
import type { ApiHandlers } from '../../../common/api';
import type { PickedProjectFile, ProjectFileKind } from '../../../common/project-api';
import { engineText } from '../../../common/engine-text';
import { ApiCallError } from '../dispatcher';
import { ProjectError, ProjectStore } from './store';

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
  const noDialog = () => ApiCallError.coded('unsupported', engineText('project.noDialog', {}));
  return {
    saveProject: (name, project) => coded(store.save(name, project)),
    loadProject: (name) => coded(store.load(name)),
    listRecentProjects: () => store.list(),
    autosaveProject: (project) => coded(store.autosave(project)),
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

/** ProjectErrors keep their code ('not-found', 'bad-project') across the boundary; the dispatcher calls the rest 'internal'. */
async function coded<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ProjectError) throw new ApiCallError(error.code, error.message, error.text);
    throw error;
  }
}

/** The projects service: its API handlers, to spread into createApiHandlers. */
import type { ApiHandlers } from '../../../common/api';
import { ProjectStore } from './store';

export { ProjectError, ProjectStore } from './store';

type ProjectMethod = 'saveProject' | 'loadProject' | 'listRecentProjects' | 'autosaveProject' | 'loadAutosave';

export function createProjectHandlers(dataDir: string, store = new ProjectStore(dataDir)): Pick<ApiHandlers, ProjectMethod> {
  return {
    saveProject: (name, project) => store.save(name, project),
    loadProject: (name) => store.load(name),
    listRecentProjects: () => store.list(),
    autosaveProject: (project) => store.autosave(project),
    loadAutosave: () => store.loadAutosave(),
  };
}

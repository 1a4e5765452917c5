/**
 * Everything main owns, wired once, for either host: the engine supervisor, the API dispatcher, and the event
 * stream the host forwards to the renderer (IPC in Electron, WebSocket frames in the browser host).
 */
import type { ApiEventName, ApiEvents, AppInfo } from '../../common/api';
import { createApiHandlers } from './api-handlers';
import { DatasetApi, type DatasetApiOptions } from './dataset-api';
import { createDispatcher, type Dispatch } from './dispatcher';
import type { ProjectDialogs } from './projects';
import type { EngineLauncher, EngineProcess } from './engine-process';
import { EngineSupervisor, type SupervisorOptions } from './engine-supervisor';
import { RunsService, WeightsService } from './runs';

export type ApiEventListener = <E extends ApiEventName>(name: E, payload: ApiEvents[E]) => void;

export interface AppServices<P extends EngineProcess> {
  supervisor: EngineSupervisor<P>;
  /** Run folders (`<data dir>/runs`) and the datasets the engine host asks for when it trains. */
  runs: RunsService;
  dispatch: Dispatch;
  /** Subscribe to every main → renderer event; returns the unsubscribe function. */
  onEvent(listener: ApiEventListener): () => void;
  /** Stops the engine host; resolves when its process is gone. */
  shutdown(): Promise<void>;
}

export interface AppServicesOptions<P extends EngineProcess> {
  host: AppInfo['host'];
  dataDir: string;
  launcher: EngineLauncher<P>;
  supervisor?: Partial<SupervisorOptions>;
  /** The host's DatasetService (cache: `<data dir>/datasets`) and, in Electron, its native file picker. */
  datasets: DatasetApiOptions;
  /** Electron's native dialogs for exporting and importing project files. */
  projectDialogs?: ProjectDialogs;
}

export function createAppServices<P extends EngineProcess>(options: AppServicesOptions<P>): AppServices<P> {
  const supervisor = new EngineSupervisor(options.launcher, options.supervisor);
  const datasets = new DatasetApi(options.datasets);
  const runs = new RunsService({ dataDir: options.dataDir, datasets: options.datasets.service });
  runs.attach(supervisor);
  const weights = new WeightsService(runs.runsDir);
  const dispatch = createDispatcher(
    createApiHandlers({
      host: options.host, dataDir: options.dataDir, engineStatus: () => supervisor.status, datasets: datasets.handlers,
      projectDialogs: options.projectDialogs, weights,
    }),
  );
  const listeners = new Set<ApiEventListener>();
  supervisor.onStatus((status) => {
    for (const listener of listeners) listener('engineStatus', status);
  });
  datasets.onEvent((event) => {
    for (const listener of listeners) listener(event.name, event.payload);
  });
  return {
    supervisor,
    runs,
    dispatch,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    shutdown: async () => {
      await Promise.all([datasets.dispose(), weights.dispose(), supervisor.stop()]);
    },
  };
}

/**
 * The API's handlers, shared by Electron main and the browser host. Typed as ApiHandlers, so adding a method to
 * LayerLabApi without a handler here fails the type check.
 */
import packageJson from '../../package.json';
import type { ApiHandlers, AppInfo, EngineStatus } from '../../common/api';
import { createProjectHandlers, type ProjectDialogs } from './projects';
import { datasetsUnavailable, type DatasetApiHandlers } from './dataset-api';
import { join } from 'node:path';
import { WeightsService } from './runs/weights';

export interface ApiHandlerDeps {
  host: AppInfo['host'];
  dataDir: string;
  engineStatus(): EngineStatus;
  /** Electron's native save/open dialogs for project files; without them those calls answer 'unsupported'. */
  projectDialogs?: ProjectDialogs;
  /** DatasetApi.handlers; without it every dataset call answers 'unavailable'. */
  datasets?: DatasetApiHandlers;
  /** Weights files in and out of `<data dir>/runs`; by default a WeightsService of its own there. */
  weights?: WeightsService;
}

export function createApiHandlers(deps: ApiHandlerDeps): ApiHandlers {
  const weights = deps.weights ?? new WeightsService(join(deps.dataDir, 'runs'));
  return {
    getAppInfo: async () => ({
      name: 'LayerLab',
      version: packageJson.version,
      host: deps.host,
      platform: process.platform,
      dataDir: deps.dataDir,
    }),
    getEngineStatus: async () => deps.engineStatus(),
    ...createProjectHandlers(deps.dataDir, deps.projectDialogs),
    ...(deps.datasets ?? datasetsUnavailable()),
    readRunWeights: (request) => weights.read(request),
    uploadWeights: (chunk) => weights.upload(chunk),
  };
}

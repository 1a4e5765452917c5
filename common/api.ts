/**
 * The renderer↔main API: one interface, its method list, and its events. The Electron preload builds
 * `window.layerlab` by mapping over API_METHODS; main and the browser host register one handler per method from the
 * same list (the ApiHandlers type makes a missing handler a compile error). Every call resolves to an Envelope.
 */
import type { EngineText } from './engine-text';
import type { Envelope } from './envelope';
import type { EngineHello } from './engine-protocol';
import {
  PROJECT_ARG_CHECKS, type PickedProjectFile, type ProjectEntry, type ProjectFile, type ProjectFileKind,
} from './project-api';
import {
  DATASET_ARG_CHECKS, type DatasetImportReport, type DatasetImportRequest, type DatasetInfo, type DatasetList,
  type DatasetProgress, type DatasetSampleOptions, type DatasetSamples, type DatasetUploadChunk,
  type DatasetUploadReceipt, type DatasetVerifyReport,
} from './dataset-api';
import {
  WEIGHTS_ARG_CHECKS, type RunWeightsPage, type RunWeightsRequest, type WeightsUploadChunk, type WeightsUploadReceipt,
} from './weights-api';

export interface AppInfo {
  name: string;
  version: string;
  /** Which host serves the renderer. Shown in About; nothing in the UI branches on it. */
  host: 'electron' | 'web';
  platform: string;
  dataDir: string;
}

export type EngineState = 'starting' | 'ready' | 'restarting' | 'failed';

export interface EngineStatus {
  state: EngineState;
  /** Process id of the current engine host, null while none runs. */
  pid: number | null;
  /** Why the engine is restarting or failed, in plain words. */
  reason: string | null;
  /** The same reason as sentence codes (common/engine-text.ts), joined by '; ', for the learner's language. */
  reasonText?: EngineText[];
  /** How many times the engine host has been restarted since the app started. */
  restarts: number;
  hello: EngineHello | null;
  /** Epoch ms of the last state change. */
  since: number;
}

export interface LayerLabApi {
  getAppInfo(): Promise<Envelope<AppInfo>>;
  getEngineStatus(): Promise<Envelope<EngineStatus>>;
  // Projects in the app data folder (details: common/project-api.ts).
  saveProject(name: string, project: ProjectFile): Promise<Envelope<ProjectEntry>>;
  loadProject(name: string): Promise<Envelope<ProjectFile>>;
  /** Newest first; the autosave is not listed. */
  listRecentProjects(): Promise<Envelope<ProjectEntry[]>>;
  autosaveProject(project: ProjectFile): Promise<Envelope<null>>;
  /** null when there is no autosave yet. */
  loadAutosave(): Promise<Envelope<ProjectFile | null>>;
  /** Electron: a native save dialog, resolving to the saved path (null if cancelled); elsewhere 'unsupported'. */
  exportProjectFile(fileName: string, text: string, kind: ProjectFileKind): Promise<Envelope<string | null>>;
  /** Electron: a native open dialog (null if cancelled); elsewhere 'unsupported'. */
  importProjectFile(): Promise<Envelope<PickedProjectFile | null>>;
  // Datasets (types and details: common/dataset-api.ts).
  listDatasets(): Promise<Envelope<DatasetList>>;
  /** Resolves when the download ends; error code 'cancelled' after cancelDatasetFetch. */
  fetchDataset(name: string): Promise<Envelope<DatasetInfo>>;
  /** True when a download was running. */
  cancelDatasetFetch(name: string): Promise<Envelope<boolean>>;
  verifyDataset(name: string): Promise<Envelope<DatasetVerifyReport>>;
  /** The dataset's new state; null for a custom import, which is then gone. */
  deleteDataset(name: string): Promise<Envelope<DatasetInfo | null>>;
  uploadDatasetFile(chunk: DatasetUploadChunk): Promise<Envelope<DatasetUploadReceipt>>;
  /** null when the user closed the native dialog without picking. */
  importDataset(request: DatasetImportRequest): Promise<Envelope<DatasetImportReport | null>>;
  getDatasetSamples(name: string, options?: DatasetSampleOptions): Promise<Envelope<DatasetSamples>>;
  // Weights in and out as .safetensors (details: common/weights-api.ts).
  /** One page of a run's checkpoint file. */
  readRunWeights(request: RunWeightsRequest): Promise<Envelope<RunWeightsPage>>;
  /** One chunk of a weights file to load into a builder model (then `run-import` on the engine channel). */
  uploadWeights(chunk: WeightsUploadChunk): Promise<Envelope<WeightsUploadReceipt>>;
}

export const API_METHODS = [
  'getAppInfo', 'getEngineStatus',
  'saveProject', 'loadProject', 'listRecentProjects', 'autosaveProject', 'loadAutosave', 'exportProjectFile', 'importProjectFile',
  'listDatasets', 'fetchDataset', 'cancelDatasetFetch', 'verifyDataset', 'deleteDataset', 'uploadDatasetFile',
  'importDataset', 'getDatasetSamples', 'readRunWeights', 'uploadWeights',
] as const satisfies readonly (keyof LayerLabApi)[];

export type ApiMethod = (typeof API_METHODS)[number];

/** Fails to compile when a method of LayerLabApi is missing from API_METHODS. */
type MissingFromList = Exclude<keyof LayerLabApi, ApiMethod>;
export const API_METHODS_COMPLETE: [MissingFromList] extends [never] ? true : MissingFromList = true;

/** What a handler receives: the call's arguments; what it returns: the unwrapped value (errors are thrown). */
export type ApiHandlers = {
  [K in ApiMethod]: (...args: Parameters<LayerLabApi[K]>) => Promise<EnvelopeValue<ReturnType<LayerLabApi[K]>>>;
};
type EnvelopeValue<P> = P extends Promise<Envelope<infer T>> ? T : never;

/**
 * Argument validators, one per method: each returns an error message or null. Handlers only ever see arguments
 * that passed these.
 */
export const API_ARG_CHECKS: { [K in ApiMethod]: (args: unknown[]) => string | null } = {
  getAppInfo: (args) => (args.length === 0 ? null : 'getAppInfo takes no arguments'),
  getEngineStatus: (args) => (args.length === 0 ? null : 'getEngineStatus takes no arguments'),
  ...PROJECT_ARG_CHECKS,
  ...DATASET_ARG_CHECKS,
  ...WEIGHTS_ARG_CHECKS,
};

/** Events pushed from main to the renderer. */
export interface ApiEvents {
  engineStatus: EngineStatus;
  datasetProgress: DatasetProgress;
  datasetStatus: DatasetInfo;
}

export const API_EVENTS = ['engineStatus', 'datasetProgress', 'datasetStatus'] as const satisfies readonly (keyof ApiEvents)[];
export type ApiEventName = (typeof API_EVENTS)[number];

/** The object the preload exposes as `window.layerlab`, and the browser host's client mirrors. */
export type LayerLabBridge = LayerLabApi & {
  on<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
};

export const BRIDGE_GLOBAL = 'layerlab';

/** Runs, main-process side: where run folders live, the run history list, and datasets for the engine host. */
export { RunsService, type DatasetLoader, type RunsServiceOptions, type SupervisedEngine } from './runs-service';
export { WeightsService, fileStem, type WeightsServiceOptions } from './weights';

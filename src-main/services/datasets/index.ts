/** Datasets, main-process side: catalogue, download, cache, import, load. Hosts use DatasetService. */
export * from './service';
export { CATALOGUE, ROLES, parseMirrorsEnv, resolveMirrors, fileUrl } from './catalogue';
export type { CatalogueEntry, CatalogueFile, DatasetRole } from './catalogue';
export type { DatasetStatus, FileStatus, FileState, Manifest, ManifestFile } from './cache';
export { DatasetError, type DatasetErrorCode } from './errors';
export type { ImageSet, LoadedDataset, LoadOptions } from './load';
export type { DownloadTuning } from './download';

import { engineText, englishText, type EngineText } from '../../../common/engine-text';

/** Dataset errors carry a `code` the UI can switch on; messages are written for the user. */
export type DatasetErrorCode =
  | 'offline' // no mirror could be reached / every mirror failed
  | 'checksum' // every reachable mirror served wrong bytes
  | 'cancelled'
  | 'cache-unwritable'
  | 'disk-full' // the cache's disk has less room than the download needs (ENOSPC); says how much is needed and free
  | 'unknown-dataset'
  | 'not-downloaded'
  | 'corrupt'
  | 'invalid-import';

export class DatasetError extends Error {
  constructor(
    readonly code: DatasetErrorCode,
    message: string,
    readonly details: string[] = [],
    /**
     * The message as a sentence code, for the renderer to word in the learner's language wherever it reaches them:
     * the Data tab (through the API envelope), a run or a lesson (through the engine host's dataset hand-over).
     */
    readonly text?: EngineText,
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}

/** A DatasetError whose message is its sentence code's English; `details` are the mirrors' own reasons, as they came. */
export function datasetError(code: DatasetErrorCode, text: EngineText, details: string[] = []): DatasetError {
  return new DatasetError(code, englishText(text), details, text);
}

export function cancelledError(): DatasetError {
  return datasetError('cancelled', engineText('dataset.cancelled', {}));
}

/** ENOSPC, or a quota (EDQUOT): the disk, not the network or the folder's permissions. */
export function isDiskFull(err: unknown): boolean {
  if (err instanceof DatasetError) return err.code === 'disk-full';
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

import type { EngineText } from '../../../common/engine-text';

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
    /** The message as a sentence code, where it reaches the learner through the engine host (dataset.notReady). */
    readonly text?: EngineText,
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}

export function cancelledError(): DatasetError {
  return new DatasetError('cancelled', 'Download cancelled.');
}

/** ENOSPC, or a quota (EDQUOT): the disk, not the network or the folder's permissions. */
export function isDiskFull(err: unknown): boolean {
  if (err instanceof DatasetError) return err.code === 'disk-full';
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

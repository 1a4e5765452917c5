/** Dataset errors carry a `code` the UI can switch on; messages are written for the user. */
export type DatasetErrorCode =
  | 'offline' // no mirror could be reached / every mirror failed
  | 'checksum' // every reachable mirror served wrong bytes
  | 'cancelled'
  | 'cache-unwritable'
  | 'unknown-dataset'
  | 'not-downloaded'
  | 'corrupt'
  | 'invalid-import';

export class DatasetError extends Error {
  constructor(
    readonly code: DatasetErrorCode,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}

export function cancelledError(): DatasetError {
  return new DatasetError('cancelled', 'Download cancelled.');
}

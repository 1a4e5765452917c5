/** IO: safetensors (state dicts in and out, pure bytes). IDX parsing lives in common/idx.ts, re-exported here. */
export * from './safetensors';
export { parseIdx, parseIdxHeader, writeIdx, describeIdx } from '../../common/idx';
export type { IdxArray, IdxData, IdxDType, IdxHeader, ParseIdxOptions } from '../../common/idx';

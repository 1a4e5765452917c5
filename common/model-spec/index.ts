/**
 * The model spec (see types.ts for the format): validation, shape inference, lint, PyTorch export and presets.
 * Pure TypeScript with no imports outside common/, so the renderer can run it on every edit.
 */
export * from './types';
export * from './catalogue';
export * from './diagnostics';
export * from './graph';
export * from './validate';
export * from './augment';
export * from './shapes';
export * from './lint';
export * from './pytorch';
export * from './presets';
export * from './target';

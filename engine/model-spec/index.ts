/**
 * Model specs in the engine: build a model, loss, optimizer and scheduler from a spec, shape its data, and fit()
 * (epochs of the engine's Trainer, engine/train). The spec format itself (validation, shapes, lint, export,
 * presets) is common/model-spec.
 */
export * from './build';
export * from './data';
export * from './fit';

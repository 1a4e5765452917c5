/**
 * The model the app is working on, for features other than the builder (Train trains it, Predict reads its data
 * settings). The builder can write here (`currentSpec.set(spec)`) or App can hand the BuilderState itself to those
 * features: anything with a `spec` is a SpecSource. Until the builder is wired in, it holds the MLP preset.
 */
import { getPreset, type ModelSpec } from '../../../common/spec';

export interface SpecSource {
  readonly spec: ModelSpec;
}

export class CurrentSpec implements SpecSource {
  #spec = $state.raw<ModelSpec>(getPreset('MLP')!);

  get spec(): ModelSpec {
    return this.#spec;
  }

  set(spec: ModelSpec): void {
    this.#spec = spec;
  }
}

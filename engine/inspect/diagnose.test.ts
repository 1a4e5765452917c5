import { describe, expect, it } from 'vitest';
import type { LayerStats } from '../../common/layer-stats';
import { chainSpec, PRESETS } from '../../common/model-spec/presets';
import type { ModelSpec, OpName, Params } from '../../common/model-spec/types';
import { manualSeed } from '../random';
import { randn, Tensor } from '../tensor';
import { buildModel, makeLoss, makeOptimizer, prepareInput } from '../model-spec/build';
import { diagnose, gradRms } from './diagnose';
import { LayerProbe } from './layer-stats';

/** Flatten, then `depth` hidden Linear(·, 64) layers each followed by `activation`, then Linear(64, 10); SGD at `lr`. */
function deepMlp(activation: OpName, depth: number, lr: number): ModelSpec {
  const hidden: [OpName, Params][] = [];
  for (let i = 0; i < depth; i++) hidden.push(['Linear', { inFeatures: i === 0 ? 784 : 64, outFeatures: 64 }], [activation, {}]);
  return chainSpec({
    name: `${activation}×${depth}`, description: 'a deliberately deep MLP', inputShape: [1, 28, 28],
    layers: [['Flatten'], ...hidden, ['Linear', { inFeatures: 64, outFeatures: 10 }]],
    optimizer: { type: 'SGD', params: { lr } },
  });
}

/** Trains `steps` batches of 32 random images in the engine and returns the last step's layer statistics. */
function trainAndInspect(spec: ModelSpec, steps = 4): LayerStats[] {
  manualSeed(0);
  const model = buildModel(spec);
  const lossFn = makeLoss(spec);
  const optimizer = makeOptimizer(spec, model.parameters());
  let stats: LayerStats[] = [];
  for (let s = 0; s < steps; s++) {
    const x = randn([32, 1, 28, 28]);
    const y = new Tensor(Int32Array.from({ length: 32 }, (_, i) => (i * 7 + s) % 10), [32]);
    const probe = new LayerProbe(model);
    lossFn(model.forward(prepareInput(spec, x)) as Tensor, y).backward();
    probe.afterBackward();
    optimizer.step();
    optimizer.zeroGrad(true);
    stats = probe.afterStep();
  }
  return stats;
}

const kinds = (stats: LayerStats[]) => diagnose(stats).map((f) => f.kind);

const layer = (over: Partial<LayerStats>): LayerStats => ({
  name: 'x', kind: 'Linear', params: 100, weightNorm: 1, gradNorm: 1, updateRatio: 1e-3, weights: null, grads: null,
  activations: null, deadShare: null, ...over,
});

describe('diagnose', () => {
  it('flags sigmoid layers ×6 at a tiny learning rate as vanishing gradients (and too-small steps)', () => {
    const stats = trainAndInspect(deepMlp('Sigmoid', 6, 1e-6));
    const flags = diagnose(stats);
    const vanishing = flags.find((f) => f.kind === 'vanishing')!;
    expect(vanishing).toMatchObject({ layer: '1', other: '13' });
    // Each sigmoid passes back at most 1/4: six of them leave the first layer ~1e-5 of the last's gradient.
    const trained = stats.filter((s) => s.params > 0);
    expect(vanishing.value).toBeCloseTo(gradRms(trained[0])! / gradRms(trained[trained.length - 1])!, 12);
    expect(vanishing.value!).toBeLessThan(1e-3);
    expect(flags.map((f) => f.kind)).toContain('tiny-updates');
    expect(flags.map((f) => f.kind)).not.toContain('exploding');
  });

  it('does not flag the same depth with ReLU at a usual learning rate, nor the MLP and LeNet-5 presets', () => {
    expect(kinds(trainAndInspect(deepMlp('ReLU', 6, 0.05)))).toEqual([]);
    expect(kinds(trainAndInspect(PRESETS.MLP))).toEqual([]);
    expect(kinds(trainAndInspect(PRESETS['LeNet-5'], 2))).toEqual([]);
  });

  it('flags gradients that grow toward the input or are not finite, dead ReLUs and huge steps', () => {
    const last = layer({ name: 'last', gradNorm: 1e-3 });
    expect(diagnose([layer({ name: 'first', gradNorm: 10 }), last])).toEqual([{ kind: 'exploding', layer: 'first', other: 'last', value: 1e4 }]);
    expect(diagnose([layer({ name: 'first', gradNorm: Infinity }), last])).toEqual([{ kind: 'exploding', layer: 'first', value: null }]);
    expect(diagnose([layer({}), layer({ name: 'relu', kind: 'ReLU', params: 0, gradNorm: null, updateRatio: null, deadShare: 0.6 })]))
      .toEqual([{ kind: 'dead-relu', layer: 'relu', value: 0.6 }]);
    expect(kinds([layer({ deadShare: 0.49, kind: 'ReLU' })])).toEqual([]);
    expect(diagnose([layer({ name: 'a', updateRatio: 2 }), layer({ name: 'b', updateRatio: 0.5 })])).toEqual([{ kind: 'huge-updates', layer: 'a', value: 2 }]);
    // One trainable layer has nothing to compare with; layers without gradients (frozen) are left out.
    expect(kinds([layer({ gradNorm: 1e-12 })])).toEqual([]);
    expect(kinds([layer({ gradNorm: null }), layer({ gradNorm: 1e-9 })])).toEqual([]);
  });
});

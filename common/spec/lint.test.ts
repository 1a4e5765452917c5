import { describe, expect, it } from 'vitest';
import { lintSpec } from './lint';
import { chainSpec, getPreset, PRESETS } from './presets';
import type { LossName } from './types';
import { validateSpec } from './validate';

const rules = (spec: Parameters<typeof lintSpec>[0]) => lintSpec(spec).map((w) => w.rule);
const mlpEndingWith = (tail: Parameters<typeof chainSpec>[0]['layers'], loss: LossName = 'CrossEntropyLoss') =>
  chainSpec({
    name: 't', description: '', inputShape: [784],
    layers: [['Linear', { inFeatures: 784, outFeatures: 10 }], ...tail],
    loss: { type: loss, params: {} }, optimizer: { type: 'Adam', params: {} },
  });

describe('presets', () => {
  for (const [name, spec] of Object.entries(PRESETS)) {
    it(`${name} is valid with no lint warnings`, () => {
      expect(validateSpec(spec)).toEqual([]);
      expect(lintSpec(spec)).toEqual([]);
    });
  }
});

describe('lintSpec', () => {
  it('Softmax before CrossEntropyLoss', () => {
    const [w] = lintSpec(mlpEndingWith([['Softmax']]));
    expect(w).toMatchObject({ rule: 'softmax-before-cross-entropy', nodeId: 'softmax1' });
    expect(w.message).toContain('remove the Softmax');
    expect(rules(mlpEndingWith([['Softmax'], ['Dropout']]))).toContain('softmax-before-cross-entropy');
  });

  it('NLLLoss without LogSoftmax, and with it', () => {
    expect(rules(mlpEndingWith([], 'NLLLoss'))).toEqual(['nll-without-log-softmax']);
    expect(rules(mlpEndingWith([['LogSoftmax']], 'NLLLoss'))).toEqual([]);
  });

  it('Sigmoid before BCEWithLogitsLoss; BCELoss without Sigmoid', () => {
    expect(rules(mlpEndingWith([['Sigmoid']], 'BCEWithLogitsLoss'))).toEqual(['sigmoid-before-bce-with-logits']);
    expect(rules(mlpEndingWith([], 'BCELoss'))).toEqual(['bce-without-sigmoid']);
    expect(rules(mlpEndingWith([['Sigmoid']], 'BCELoss'))).toEqual([]);
  });

  it('Dropout as the last layer', () => {
    expect(rules(mlpEndingWith([['Dropout']]))).toEqual(['dropout-last']);
  });

  it('Linear on a 4-D input without Flatten', () => {
    const spec = chainSpec({
      name: 't', description: '', inputShape: [1, 28, 28],
      layers: [['Linear', { inFeatures: 28, outFeatures: 10 }], ['Flatten'], ['Linear', { inFeatures: 280, outFeatures: 10 }]],
      optimizer: { type: 'Adam', params: {} },
    });
    expect(lintSpec(spec)).toEqual([expect.objectContaining({ rule: 'linear-on-image', nodeId: 'fc1' })]);
  });

  it('implausible learning rates per optimizer', () => {
    const spec = getPreset('MLP')!;
    spec.optimizer.params.lr = 0.5;
    expect(lintSpec(spec)[0].message).toBe('lr 0.5 is very high for Adam (usual range 0.000001 to 0.1); training will likely diverge to NaN.');
    spec.optimizer = { type: 'SGD', params: { lr: 0.5 } };
    expect(rules(spec)).toEqual([]);
    spec.optimizer.params.lr = 20;
    expect(rules(spec)).toEqual(['implausible-lr']);
    spec.optimizer.params.lr = 1e-7;
    expect(lintSpec(spec)[0].message).toContain('very low for SGD');
    spec.optimizer = { type: 'Adadelta', params: {} }; // default lr 1.0
    expect(rules(spec)).toEqual([]);
  });
});

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

describe('KLDivLoss on MNIST (#18): log-probabilities in, one-hot label rows as the target distribution', () => {
  const kl = (tail: Parameters<typeof chainSpec>[0]['layers'], params: Record<string, unknown>) => {
    const spec = mlpEndingWith(tail, 'KLDivLoss');
    spec.loss.params = params as never;
    return spec;
  };

  it('asks for LogSoftmax at the end, and for batchmean over the default mean', () => {
    const [missing] = lintSpec(kl([], { reduction: 'batchmean' }));
    expect(missing).toMatchObject({ rule: 'kl-div-without-log-softmax', nodeId: 'fc1' });
    expect(missing.message).toBe('KLDivLoss compares log-probabilities with the one-hot label rows, but the model ends with fc1 (Linear); add LogSoftmax(dim=1) at the end.');
    expect(rules(kl([['Softmax']], { reduction: 'batchmean' }))).toEqual(['kl-div-without-log-softmax']);
    expect(rules(kl([['LogSoftmax']], {}))).toEqual(['kl-div-mean']);
    expect(rules(kl([['LogSoftmax']], { reduction: 'batchmean' }))).toEqual([]);
    expect(rules(kl([['LogSoftmax']], { reduction: 'sum' }))).toEqual([]);
  });

  it("log_target=True is an error that says why: MNIST's targets are one-hot probabilities", () => {
    expect(validateSpec(kl([['LogSoftmax']], { reduction: 'batchmean', logTarget: true }))).toEqual([expect.objectContaining({
      path: 'loss.params',
      code: 'kl-div-log-target',
      message: 'loss KLDivLoss: log_target=True needs log-probability targets, but MNIST labels become one-hot rows whose log is −inf (the loss would be NaN); keep log_target False.',
    })]);
    expect(validateSpec(kl([['LogSoftmax']], { reduction: 'batchmean', logTarget: false }))).toEqual([]);
    expect(validateSpec(kl([['LogSoftmax']], { reduction: 'none' }))[0].message).toBe(
      `loss KLDivLoss: reduction must be one of 'mean', 'sum', 'batchmean', got "none"`,
    );
  });
});

describe('MultiMarginLoss on MNIST (#18): raw scores, class indices', () => {
  it('warns when the scores are squashed first, and not on raw Linear scores', () => {
    const [w] = lintSpec(mlpEndingWith([['Softmax']], 'MultiMarginLoss'));
    expect(w).toMatchObject({ rule: 'margin-on-squashed', nodeId: 'softmax1' });
    expect(w.message).toContain('wants raw scores a margin apart (and class indices as targets)');
    expect(rules(mlpEndingWith([['LogSoftmax']], 'MultiMarginLoss'))).toEqual(['margin-on-squashed']);
    expect(rules(mlpEndingWith([], 'MultiMarginLoss'))).toEqual([]);
  });

  it('p other than 1 or 2 is an error, as in torch', () => {
    const spec = mlpEndingWith([], 'MultiMarginLoss');
    spec.loss.params = { p: 3 };
    expect(validateSpec(spec).map((e) => e.message)).toEqual(['loss MultiMarginLoss: p must be an integer ≥ 1 and ≤ 2, got 3']);
  });
});

import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../../../common/model-spec/presets';
import { toPyTorch } from '../../../../common/model-spec/pytorch';
import { lineCount, twinSections } from './twin-sections';

describe('twinSections', () => {
  it('cuts out a Sequential model, closing parenthesis included', () => {
    const script = 'import torch\n\nmodel = nn.Sequential(\n    nn.Linear(784, 10),  # fc1\n)\nif args.init:\n    load()';
    expect(twinSections(script)).toEqual({
      before: 'import torch\n',
      model: 'model = nn.Sequential(\n    nn.Linear(784, 10),  # fc1\n)',
      after: 'if args.init:\n    load()',
    });
  });

  it('takes an nn.Module class with its model = Net() line, and not a Sampler class above it', () => {
    const script = [
      'class LayerLabOrder(Sampler):', '    pass', '', 'x = 1', '', '',
      'class Net(nn.Module):', '    def forward(self, x):', '', '        return x', '', '', 'model = Net()', 'model.to(device)',
    ].join('\n');
    const parts = twinSections(script);
    expect(parts.model).toBe('class Net(nn.Module):\n    def forward(self, x):\n\n        return x\n\n\nmodel = Net()');
    expect(parts.before).toBe('class LayerLabOrder(Sampler):\n    pass\n\nx = 1\n\n');
    expect(parts.after).toBe('model.to(device)');
  });

  it('leaves a script without a model whole, in before', () => {
    expect(twinSections('print(1)')).toEqual({ before: 'print(1)', model: '', after: '' });
    expect(lineCount('')).toBe(0);
    expect(lineCount('a\nb')).toBe(2);
  });

  it.each(Object.keys(PRESETS))('finds the model of the %s preset\'s real twin, and loses nothing', (name) => {
    const script = toPyTorch(PRESETS[name]);
    const parts = twinSections(script);
    expect([parts.before, parts.model, parts.after].join('\n')).toBe(script);
    expect(parts.model).toMatch(/^(class \w+\(nn\.Module\):|model = nn\.Sequential\()/);
    expect(parts.model).toMatch(/(^|\n)model = /);
    // The model comes well into the script: folding what is before it is the point.
    expect(lineCount(parts.before)).toBeGreaterThan(80);
    expect(parts.after).toContain('def fit(');
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseIdx } from '../../common/idx';
import { data } from '../index';
import { fromScratch, withCrossEntropy, withDataLoader, withModule, type MnistTensors } from './tutorial';

const DIR = join(__dirname, '../../../shared/data/mnist');
const idx = (name: string) => parseIdx(new Uint8Array(gunzipSync(readFileSync(join(DIR, `${name}.gz`)))));

/** The first 2,000 training images: 1,600 to train on and 400 to validate, pixels in [0, 1], flattened. */
function smallMnist(): MnistTensors {
  const images = idx('train-images-idx3-ubyte'), labels = idx('train-labels-idx1-ubyte');
  const slice = (from: number, to: number) => ({
    x: data.imagesToTensor({ shape: [to - from, 28, 28], data: images.data.subarray(from * 784, to * 784) }, { normalize: 'scale', layout: 'flat' }),
    y: data.labelsToTensor({ shape: [to - from], data: labels.data.subarray(from, to) }),
  });
  const train = slice(0, 1600), valid = slice(1600, 2000);
  return { xTrain: train.x, yTrain: train.y, xValid: valid.x, yValid: valid.y };
}

describe('the torch.nn tutorial in LayerLab', () => {
  const mnist = smallMnist();

  it.each([
    ['from scratch (log_softmax + nll by hand)', fromScratch],
    ['F.cross_entropy', withCrossEntropy],
    ['nn.Module', withModule],
  ])('%s: the loss falls from about log(10)', (_, step) => {
    const { before, after } = step(mnist);
    expect(before).toBeGreaterThan(1.8);
    expect(before).toBeLessThan(3);
    expect(after).toBeLessThan(before * 0.5);
  });

  it('nn.Linear + optim.SGD + TensorDataset + DataLoader: training and validation loss fall', () => {
    const { before, after, validLosses } = withDataLoader(mnist);
    expect(after).toBeLessThan(before * 0.5);
    expect(validLosses).toHaveLength(2);
    expect(validLosses[1]).toBeLessThan(0.8);
  });
});

describe('engine/README.md', () => {
  it('quotes examples/tutorial.ts verbatim in its tutorial section', () => {
    const readme = readFileSync(join(__dirname, '../README.md'), 'utf8');
    const source = readFileSync(join(__dirname, 'tutorial.ts'), 'utf8');
    const section = readme.slice(readme.indexOf('## Tutorial'), readme.indexOf('## Model specs'));
    const blocks = [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks.length).toBeGreaterThan(5);
    for (const block of blocks) expect(source, block).toContain(block);
  });
});

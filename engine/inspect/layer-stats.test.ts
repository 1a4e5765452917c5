import { describe, expect, it } from 'vitest';
import { Tensor, randn } from '../tensor';
import { manualSeed } from '../random';
import { crossEntropy, Linear, ReLU, Sequential } from '../nn/index';
import { SGD } from '../optim/index';
import { buildModel, makeLoss, makeOptimizer, prepareInput } from '../model-spec/build';
import { PRESETS } from '../../common/model-spec/presets';
import { deadShare, histogram, HISTOGRAM_SAMPLE, isSampled, l2Norm, LayerProbe, sampleEvery, SampleSchedule } from './layer-stats';

const labels = (values: number[]) => new Tensor(Int32Array.from(values), [values.length]);

/** The bin of each value by the definition (equal widths from min to max, max in the last bin), counted one by one. */
function directCounts(values: number[], bins: number): number[] {
  const finite = values.filter(Number.isFinite);
  const min = Math.min(...finite), max = Math.max(...finite);
  const counts = new Array<number>(bins).fill(0);
  for (const v of finite) {
    let bin = 0;
    while (bin < bins - 1 && v >= min + ((bin + 1) * (max - min)) / bins) bin++;
    counts[bin]++;
  }
  return counts;
}

describe('l2Norm and histogram', () => {
  it('l2Norm is the square root of the sum of squares over every array', () => {
    expect(l2Norm([[3, 4]])).toBe(5);
    expect(l2Norm([Float32Array.from([1, 2]), [2]])).toBe(3);
    expect(l2Norm([])).toBe(0);
  });

  it('counts each value in its equal-width bin, the largest in the last', () => {
    const h = histogram([[0, 1, 2, 3, 4, 5, 6, 7, 8]], 4)!;
    expect(h).toEqual({ min: 0, max: 8, counts: [2, 2, 2, 3] });
  });

  it('matches a direct count on random values, over several arrays at once', () => {
    manualSeed(3);
    const a = Array.from(randn([500]).data), b = Array.from(randn([300]).data).map((v) => v * 4);
    const h = histogram([a, Float32Array.from(b)], 24)!;
    const values = [...a, ...Array.from(Float32Array.from(b))];
    expect(h.min).toBe(Math.min(...values));
    expect(h.max).toBe(Math.max(...values));
    expect(h.counts).toEqual(directCounts(values, 24));
    expect(h.counts.reduce((s, c) => s + c, 0)).toBe(800);
  });

  it('bins an evenly strided sample of a large array, its range from every value', () => {
    const values = Float32Array.from({ length: 3 * HISTOGRAM_SAMPLE + 5 }, (_, i) => Math.sin(i) * (i === 7 ? 10 : 1));
    const h = histogram([values], 10)!;
    expect([h.min, h.max]).toEqual([Math.min(...values), Math.max(...values)]); // i = 7 is outside the sample
    const stride = 4; // ⌈(3·8192 + 5) / 8192⌉
    const sample = Array.from(values).filter((_, i) => i % stride === 0);
    const direct = directCounts([...sample, h.min, h.max], 10);
    direct[0]--; // the two range ends were added only to give directCounts the same range
    direct[9]--;
    expect(h.counts).toEqual(direct);
  });

  it('puts equal values in one bin, leaves NaN and ±Infinity out, and has nothing for no finite value', () => {
    expect(histogram([[2, 2, 2]], 3)).toEqual({ min: 2, max: 2, counts: [3, 0, 0] });
    expect(histogram([[NaN, -1, Infinity, 1, -Infinity]], 2)).toEqual({ min: -1, max: 1, counts: [1, 1] });
    expect(histogram([[NaN, Infinity]])).toBeNull();
    expect(histogram([[]])).toBeNull();
  });
});

describe('deadShare', () => {
  it('counts features that are 0 for every sample of a (N, F) batch', () => {
    // Feature 0 fires for sample 1, feature 1 never, feature 2 for both: one of three is dead.
    expect(deadShare({ shape: [2, 3], data: [0, 0, 1, 5, 0, 2] })).toBeCloseTo(1 / 3);
  });

  it('counts channels of a conv output, over every position and sample', () => {
    // (N=2, C=2, 1×2): channel 0 fires once at one position of sample 2, channel 1 never.
    expect(deadShare({ shape: [2, 2, 1, 2], data: [0, 0, 0, 0, 0, 3, 0, 0] })).toBe(0.5);
    expect(deadShare({ shape: [1, 2, 1, 1], data: [1, 1] })).toBe(0);
  });
});

describe('LayerProbe', () => {
  function step(lr: number) {
    manualSeed(7);
    const model = new Sequential(new Linear(6, 5), new ReLU(), new Linear(5, 3));
    const optimizer = new SGD(model.parameters(), { lr });
    const x = randn([8, 6]);
    const y = labels([0, 1, 2, 0, 1, 2, 0, 1]);
    const probe = new LayerProbe(model);
    crossEntropy(model.forward(x), y).backward();
    probe.afterBackward();
    const params = model.parameters().map((p) => ({ weights: Float32Array.from(p.data), grad: Float32Array.from(p.grad!.data) }));
    optimizer.step();
    return { model, x, params, stats: probe.afterStep() };
  }

  it('gives every layer its norms, histograms and update ratio, as a direct computation does', () => {
    const lr = 0.1;
    const { model, x, params, stats } = step(lr);
    expect(stats.map((s) => [s.name, s.kind, s.params])).toEqual([['0', 'Linear', 35], ['1', 'ReLU', 0], ['2', 'Linear', 18]]);
    const [fc1, relu, fc2] = stats;
    // fc1 owns parameters 0 and 1 (weight, bias), fc2 owns 2 and 3.
    const norm = (arrays: Float32Array[]) => Math.sqrt(arrays.flatMap((a) => Array.from(a)).reduce((s, v) => s + v * v, 0));
    for (const [layer, own] of [[fc1, params.slice(0, 2)], [fc2, params.slice(2)]] as const) {
      expect(layer.weightNorm).toBeCloseTo(norm(own.map((p) => p.weights)), 10);
      expect(layer.gradNorm).toBeCloseTo(norm(own.map((p) => p.grad)), 10);
      // Plain SGD: Δw = -lr·g, so ‖Δw‖/‖w‖ = lr·‖g‖/‖w‖ (to float32 rounding of the update).
      expect(layer.updateRatio!).toBeCloseTo((lr * layer.gradNorm!) / layer.weightNorm!, 6);
      const values = own.flatMap((p) => Array.from(p.weights));
      expect(layer.weights!.counts).toEqual(directCounts(values, 24));
      expect(layer.grads!.counts).toEqual(directCounts(own.flatMap((p) => Array.from(p.grad)), 24));
      expect(layer.deadShare).toBeNull();
    }
    // The outputs, by running the layers one by one on the same input with the weights the step started from.
    model.parameters().forEach((p, i) => p.data.set(params[i].weights));
    const h1 = model.at(0).forward(x) as Tensor, r = model.at(1).forward(h1) as Tensor;
    expect(fc1.activations!.counts).toEqual(directCounts(Array.from(h1.data), 24));
    expect(relu.activations!.counts).toEqual(directCounts(Array.from(r.data), 24));
    expect(relu.deadShare).toBeCloseTo(deadShare(r), 12);
    expect([relu.weightNorm, relu.gradNorm, relu.updateRatio, relu.weights, relu.grads]).toEqual([null, null, null, null, null]);
  });

  it('takes its hooks off: the layers run their own forward afterwards, and a disposed probe records nothing', () => {
    const { model } = step(0.1);
    for (const child of model.children()) expect(Object.prototype.hasOwnProperty.call(child, 'forward')).toBe(false);
    const probe = new LayerProbe(model);
    expect(Object.prototype.hasOwnProperty.call(model.at(0), 'forward')).toBe(true);
    probe.dispose();
    for (const child of model.children()) expect(Object.prototype.hasOwnProperty.call(child, 'forward')).toBe(false);
    expect(() => probe.afterStep()).toThrow(/afterStep before afterBackward/);
  });

  it("names a graph model's layers by their node ids (Residual-MLP)", () => {
    manualSeed(1);
    const spec = PRESETS['Residual-MLP'];
    const model = buildModel(spec);
    const optimizer = makeOptimizer(spec, model.parameters());
    const probe = new LayerProbe(model);
    makeLoss(spec)(model.forward(prepareInput(spec, randn([4, 1, 28, 28]))) as Tensor, labels([1, 2, 3, 4])).backward();
    probe.afterBackward();
    optimizer.step();
    const stats = probe.afterStep();
    expect(stats.filter((s) => s.params > 0).map((s) => s.name)).toEqual(['fc1', 'fc2', 'fc3']);
    expect(stats.every((s) => s.activations !== null)).toBe(true);
  });
});

describe('sampling', () => {
  it('SampleSchedule: the first batch, then every base batches while a sample costs under 1% of them', () => {
    const schedule = new SampleSchedule(50);
    const sampled: number[] = [];
    for (let step = 1; step <= 200; step++) {
      const due = schedule.due(step);
      if (due) sampled.push(step);
      schedule.record(step, 10, due ? 4 : undefined); // 4 ms a sample beside 10 ms a step: 0.8% over 50 steps
    }
    expect(sampled).toEqual([1, 51, 101, 151]);
    expect(schedule.every).toBe(50);
  });

  it('SampleSchedule: further apart when samples cost more, so that they stay within the budget', () => {
    const schedule = new SampleSchedule(50);
    const sampled: number[] = [];
    for (let step = 1; step <= 1000; step++) {
      const due = schedule.due(step);
      if (due) sampled.push(step);
      schedule.record(step, 1, due ? 3 : undefined); // 3 ms a sample beside 1 ms a step: every 300 for 1%
    }
    // After the first sample the step time is not known yet, so the next comes `base` later; then the interval
    // doubles at most each time (50, 100, 200) up to the 300 that 1% affords.
    expect(sampled).toEqual([1, 51, 151, 351, 651, 951]);
    expect(schedule.every).toBe(300);
    expect(new SampleSchedule(12, Infinity).every).toBe(12);
  });

  it('SampleSchedule: a cold first sample does not put the next ones far away, and cheaper samples come closer again', () => {
    const schedule = new SampleSchedule(50);
    const sampled: number[] = [];
    for (let step = 1; step <= 700; step++) {
      const due = schedule.due(step);
      if (due) sampled.push(step);
      // 60 ms for the first two samples (cold code), then 0.4 ms, beside 1 ms a step: 50 steps afford 0.5 ms.
      schedule.record(step, 1, due ? (sampled.length <= 2 ? 60 : 0.4) : undefined);
    }
    expect(sampled).toEqual([1, 51, 151, 201, 251, 301, 351, 401, 451, 501, 551, 601, 651]);
  });

  it('samples the first batch, then every 50 (once an epoch on short ones, every 500 on a device)', () => {
    expect(sampleEvery(860)).toBe(50);
    expect(sampleEvery(12)).toBe(12);
    expect(sampleEvery(860, true)).toBe(500);
    expect(sampleEvery(0)).toBe(1);
    expect([1, 2, 49, 50, 51, 100].filter((s) => isSampled(s, 50))).toEqual([1, 50, 100]);
  });
});

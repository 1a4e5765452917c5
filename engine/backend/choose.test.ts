import { afterEach, describe, expect, it } from 'vitest';
import { getBackend, getKernel, registerBackend, setBackend } from './backend';
import { chooseBackend, trainingStep } from './choose';
import * as K from './kernel-names';
import { cpuKernels } from './cpu/index';
import { Linear } from '../nn/linear';
import { crossEntropy } from '../nn/loss';
import { SGD } from '../optim/index';
import { randn, tensor } from '../tensor';

/** A fake clock that each backend's Add kernel advances by its own cost, so the timings are exact. */
let now = 0;
const clock = () => now;
function fake(name: string, costMs: number) {
  registerBackend({ name, kernels: { [K.Add]: (...args: Parameters<typeof cpuKernels.Add>) => { now += costMs; return cpuKernels.Add(...args); } } });
}
const addStep = () => () => void getKernel(K.Add)(new Float32Array([1]), [1], new Float32Array([2]), [1], [1], 'float32');

afterEach(() => setBackend('cpu'));

describe('chooseBackend', () => {
  it('picks the faster of two fake backends and reports both figures, in ms', () => {
    fake('slow-fake', 7);
    fake('fast-fake', 2);
    const choice = chooseBackend(['slow-fake', 'fast-fake'], addStep, { clock });
    expect(choice).toEqual({ chosen: 'fast-fake', figures: [{ backend: 'slow-fake', msPerStep: 7 }, { backend: 'fast-fake', msPerStep: 2 }] });
  });

  it('stops timing a backend that is already over twice as slow as the best so far', () => {
    fake('quick-fake', 1);
    let calls = 0;
    registerBackend({ name: 'sluggish-fake', kernels: { [K.Add]: (...args: Parameters<typeof cpuKernels.Add>) => { calls++; now += 10; return cpuKernels.Add(...args); } } });
    const choice = chooseBackend(['quick-fake', 'sluggish-fake'], addStep, { clock, warmup: 1, repeats: 3 });
    expect(choice.figures).toEqual([{ backend: 'quick-fake', msPerStep: 1 }, { backend: 'sluggish-fake', msPerStep: 10 }]);
    expect(calls).toBe(2); // the warm-up and one timed step
  });

  it('runs as many untimed steps as a backend needs to reach its pace (a GPU\'s step plans)', () => {
    let calls = 0;
    registerBackend({ name: 'planning-fake', warmupSteps: 4, kernels: { [K.Add]: (...args: Parameters<typeof cpuKernels.Add>) => { now += calls++ < 4 ? 40 : 3; return cpuKernels.Add(...args); } } });
    fake('steady-fake', 5);
    const choice = chooseBackend(['steady-fake', 'planning-fake'], addStep, { clock, warmup: 1, repeats: 2 });
    expect(choice).toEqual({ chosen: 'planning-fake', figures: [{ backend: 'steady-fake', msPerStep: 5 }, { backend: 'planning-fake', msPerStep: 3 }] });
    expect(calls).toBe(6); // its four warm-up steps, then two timed ones
  });

  it('takes the fastest of the repeats, after the warm-up', () => {
    let calls = 0;
    registerBackend({ name: 'jittery-fake', kernels: { [K.Add]: (...args: Parameters<typeof cpuKernels.Add>) => { now += [50, 9, 4, 6][calls++]; return cpuKernels.Add(...args); } } });
    expect(chooseBackend(['jittery-fake'], addStep, { clock, warmup: 1, repeats: 3 }).figures).toEqual([{ backend: 'jittery-fake', msPerStep: 4 }]);
  });

  it('never chooses a backend whose step throws, says why, and leaves the previous backend active', () => {
    fake('ok-fake', 3);
    registerBackend({ name: 'broken-fake', kernels: { [K.Add]: () => { throw new Error('context lost\nstack…'); } } });
    setBackend('ok-fake');
    const choice = chooseBackend(['broken-fake', 'ok-fake'], addStep, { clock });
    expect(choice.chosen).toBe('ok-fake');
    expect(choice.figures[0]).toEqual({ backend: 'broken-fake', msPerStep: null, error: 'context lost' });
    expect(getBackend().name).toBe('ok-fake');
    expect(() => chooseBackend(['broken-fake'], addStep, { clock })).toThrow(/failed on every backend \(broken-fake: context lost\)/);
  });

  it('times a real training step of a model (forward, backward, optimizer)', () => {
    const model = new Linear(4, 3);
    const before = Array.from(model.weight.data);
    const step = trainingStep(model, crossEntropy, new SGD(model.parameters(), { lr: 0.1 }), randn([8, 4]), tensor(new Int32Array([0, 1, 2, 0, 1, 2, 0, 1]), [8]));
    const choice = chooseBackend(['cpu'], () => step, { repeats: 2 });
    expect(choice.chosen).toBe('cpu');
    expect(choice.figures[0].msPerStep).toBeGreaterThanOrEqual(0);
    expect(Array.from(model.weight.data)).not.toEqual(before);
    expect(model.weight.grad === null || Array.from(model.weight.grad.data).every((g) => g === 0)).toBe(true);
  });
});

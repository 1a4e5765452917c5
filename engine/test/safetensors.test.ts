/**
 * A state dict saved the way torch saves it (F32 weights, I64 num_batches_tracked) loads through the engine's
 * safetensors reader into the same architecture and gives torch's eval output (fixtures/cnn_state.*).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadSafetensors } from '../io/index';
import * as nn from '../nn/index';
import { expectClose, F32, fixturePath, loadFixture, toTensor, type TensorJSON } from './fixtures';

interface StateCase {
  name: string;
  keys: string[];
  input: TensorJSON;
  eval_out: TensorJSON;
}

const fixture = loadFixture<StateCase>('cnn_state.json');

describe(`a torch-saved safetensors state dict (PyTorch ${fixture.torch})`, () => {
  const c = fixture.cases[0];
  it('loads into the engine model and reproduces the eval output', () => {
    const state = loadSafetensors(readFileSync(fixturePath('cnn_state.safetensors')));
    expect(Object.keys(state)).toEqual(c.keys);
    const model = new nn.Sequential(
      new nn.Conv2d(1, 2, 3, { padding: 1 }),
      new nn.BatchNorm2d(2),
      new nn.ReLU(),
      new nn.MaxPool2d(2),
      new nn.Flatten(),
      new nn.Linear(8, 3),
    );
    model.loadStateDict(state);
    expect(model.stateDict()['1.num_batches_tracked'].item()).toBe(1);
    model.eval();
    expectClose(model.forward(toTensor(c.input)), c.eval_out, `${c.name} eval output`, F32);
  });
});

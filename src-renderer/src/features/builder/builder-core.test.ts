import { describe, expect, it } from 'vitest';
import { chainOf, getPreset, inferShapes } from '../../../../common/model-spec';
import { DEFAULT_RUN } from '../../../../common/project';
import { BuilderCore } from './builder-core';

const ids = (b: BuilderCore) => b.spec.nodes.map((n) => n.id);
const chain = (b: BuilderCore) => chainOf(b.spec)?.map((n) => n.id);

function logistic(): BuilderCore {
  const b = new BuilderCore();
  b.add('Flatten');
  b.add('Linear');
  return b;
}

describe('BuilderCore', () => {
  it('starts with an Input only, nothing to undo', () => {
    const b = new BuilderCore();
    expect(ids(b)).toEqual(['input']);
    expect([b.canUndo, b.canRedo, b.selected]).toEqual([false, false, null]);
  });

  it('adds after the selection, selects what it added, and tells listeners', () => {
    const b = new BuilderCore();
    const seen: number[] = [];
    const stop = b.onChange((spec) => seen.push(spec.nodes.length));
    b.add('Flatten');
    expect(b.selected).toBe('flatten1');
    b.add('Linear');
    b.select(['flatten1']);
    b.add('ReLU');
    expect(chain(b)).toEqual(['flatten1', 'relu1', 'fc1']);
    stop();
    b.add('Dropout');
    expect(seen).toEqual([2, 3, 4]);
  });

  it('undo/redo restore the exact spec objects and keep canUndo/canRedo right', () => {
    const b = logistic();
    const valid = b.spec;
    b.setParam('fc1', 'inFeatures', 100);
    const invalid = b.spec;
    expect(inferShapes(invalid).error?.fix).toBe('set in_features of fc1 to 784');
    b.undo();
    expect(b.spec).toBe(valid);
    expect([b.canUndo, b.canRedo]).toEqual([true, true]);
    b.redo();
    expect(b.spec).toBe(invalid);
    expect(b.canRedo).toBe(false);
  });

  it('deletes the selected edge, else the selected nodes, and drops vanished ids from the selection', () => {
    const b = logistic();
    b.selectEdge(1);
    expect(b.selection).toEqual([]);
    b.deleteSelection();
    expect(b.spec.edges).toEqual([{ from: 'input', to: 'flatten1' }]);
    expect(b.selectedEdge).toBeNull();
    expect(b.connect('flatten1', 'fc1')).toBe(true);
    expect(b.connect('fc1', 'flatten1')).toBe(false);
    b.select(['flatten1', 'input']);
    b.deleteSelection();
    expect(ids(b)).toEqual(['input', 'fc1']);
    expect(b.selection).toEqual([]);
    b.select(['fc1']);
    b.undo();
    b.undo();
    expect(b.selection).toEqual(['fc1']);
  });

  it('toggles a multi-selection and moves it as one undo step', () => {
    const b = logistic();
    b.select(['flatten1']);
    b.toggle('fc1');
    expect(b.selection).toEqual(['flatten1', 'fc1']);
    b.toggle('flatten1');
    expect(b.selection).toEqual(['fc1']);
    const before = b.spec;
    b.move(['flatten1', 'fc1'], 10, 20);
    expect(b.spec.nodes.slice(1).map((n) => n.ui)).toEqual([{ x: 250, y: 80 }, { x: 450, y: 80 }]);
    b.move(['fc1'], 0, 0);
    b.undo();
    expect(b.spec).toBe(before);
  });

  it('a move never takes a node past the canvas\'s top or left edge', () => {
    const b = logistic();
    b.move(['flatten1', 'fc1'], -1000, -30);
    expect(b.spec.nodes.slice(1).map((n) => n.ui)).toEqual([{ x: 0, y: 30 }, { x: 0, y: 30 }]);
  });

  it('wires from the keyboard by toggling: connect, remove the same edge, refuse a loop or an edge into Input', () => {
    const b = logistic();
    b.addAt('ReLU', { x: 40, y: 300 });
    expect(b.toggleEdge('flatten1', 'relu1')).toBe('connected');
    expect(b.spec.edges).toContainEqual({ from: 'flatten1', to: 'relu1' });
    expect(b.toggleEdge('flatten1', 'relu1')).toBe('disconnected');
    expect(b.spec.edges).not.toContainEqual({ from: 'flatten1', to: 'relu1' });
    expect(b.toggleEdge('fc1', 'flatten1')).toBe('refused');
    expect(b.toggleEdge('fc1', 'input')).toBe('refused');
    b.undo();
    expect(b.spec.edges).toContainEqual({ from: 'flatten1', to: 'relu1' });
  });

  it('copy and paste after the selection; paste without a copy does nothing', () => {
    const b = logistic();
    b.paste();
    expect(ids(b)).toHaveLength(3);
    b.select(['flatten1']);
    b.copy();
    b.paste();
    expect(b.selection).toEqual(['flatten2']);
    expect(chain(b)).toEqual(['flatten1', 'flatten2', 'fc1']);
  });

  it('loss, optimizer, scheduler, data and name edits; presets and clear are undoable, restore is not', () => {
    const b = logistic();
    b.setOptimizer('Adam');
    b.setSectionParam('optimizer', 'lr', 0.01);
    expect(b.spec.optimizer).toEqual({ type: 'Adam', params: { lr: 0.01 } });
    b.setLoss('NLLLoss');
    b.setScheduler('StepLR');
    b.setSectionParam('scheduler', 'stepSize', 2);
    expect(b.spec.scheduler).toEqual({ type: 'StepLR', params: { stepSize: 2 } });
    b.setScheduler('');
    expect(b.spec.scheduler).toBeUndefined();
    b.setData({ batchSize: 32 });
    b.setName('mine');
    expect([b.spec.loss.type, b.spec.data.batchSize, b.spec.name]).toEqual(['NLLLoss', 32, 'mine']);
    const mine = b.spec;
    b.loadPreset('LeNet-5');
    expect(inferShapes(b.spec).totalParams).toBe(61706);
    b.loadPreset('no such preset');
    b.undo();
    expect(b.spec).toBe(mine);
    b.clear();
    expect(ids(b)).toEqual(['input']);
    b.restore(getPreset('MLP')!);
    expect(b.canUndo).toBe(false);
    b.layout();
    expect(b.canUndo).toBe(true);
  });

  it('New drops the run settings and every typed-but-uncommitted field; edits of the run tell listeners', () => {
    const b = logistic();
    const heard: number[] = [];
    b.onChange(() => heard.push(b.run.epochs));
    b.setRun({ epochs: 7, seed: 3, clipGradNorm: 0.5 });
    expect(heard).toEqual([7]);
    expect(b.run).toEqual({ ...DEFAULT_RUN, epochs: 7, seed: 3, clipGradNorm: 0.5 });
    const before = b.revision;
    b.setData({ batchSize: 32 });
    expect(b.revision).toBe(before); // an edit keeps the fields' drafts
    b.clear();
    expect(b.run).toEqual(DEFAULT_RUN);
    expect(b.revision).toBe(before + 1);
    b.loadPreset('MLP');
    expect(b.revision).toBe(before + 2);
    b.restore(getPreset('LeNet-5')!);
    expect(b.revision).toBe(before + 3);
  });
});

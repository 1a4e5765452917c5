import { describe, expect, it } from 'vitest';
import { chainOf, inferShapes, validateSpec, type ModelSpec } from '../../../../common/model-spec';
import { copyNodes, pasteFragment } from './clipboard';
import { addFree, appendAfter, connect, emptySpec, insertOnEdge, moveNodes, removeNodes, setParam } from './graph-edit';
import { History } from './history';

function logistic(): ModelSpec {
  let spec = emptySpec();
  spec = appendAfter(spec, 'Flatten').spec;
  spec = appendAfter(spec, 'Linear').spec;
  return spec;
}

describe('graph edits', () => {
  it('builds the logistic regression by appending: Linear gets in_features from the shape and 10 outputs', () => {
    const spec = logistic();
    expect(spec.nodes.map((n) => n.id)).toEqual(['input', 'flatten1', 'fc1']);
    expect(spec.nodes[2].params).toEqual({ inFeatures: 784, outFeatures: 10 });
    const report = inferShapes(spec);
    expect(report.totalParams).toBe(7850);
    expect(report.nodes.fc1.paramFormula).toBe('10×784 + 10 = 7,850');
    expect(report.error).toBeNull();
    expect(validateSpec(spec)).toEqual([]);
  });

  it('appending after a node that feeds one other inserts in between and keeps the shapes downstream', () => {
    const spec = logistic();
    const { spec: next, id } = appendAfter(spec, 'Linear', 'flatten1');
    expect(id).toBe('fc2');
    expect(chainOf(next)!.map((n) => n.id)).toEqual(['flatten1', 'fc2', 'fc1']);
    expect(next.nodes.find((n) => n.id === 'fc2')!.params).toEqual({ inFeatures: 784, outFeatures: 784 });
    expect(inferShapes(next).error).toBeNull();
  });

  it('inserts on an edge, keeping Conv2d channels and size', () => {
    let spec = appendAfter(emptySpec(), 'Conv2d').spec;
    spec = appendAfter(spec, 'ReLU').spec;
    const { spec: next } = insertOnEdge(spec, 0, 'Conv2d');
    expect(chainOf(next)!.map((n) => n.id)).toEqual(['conv2', 'conv1', 'relu1']);
    expect(inferShapes(next).nodes.conv2.shape).toEqual(['N', 1, 28, 28]);
  });

  it('does not mutate its input', () => {
    const spec = logistic();
    const before = JSON.stringify(spec);
    setParam(spec, 'fc1', 'inFeatures', 100);
    moveNodes(spec, ['fc1'], 10, 10);
    removeNodes(spec, ['flatten1']);
    expect(JSON.stringify(spec)).toBe(before);
  });

  it('removing a node heals the chain; the Input stays', () => {
    const spec = removeNodes(logistic(), ['flatten1', 'input']);
    expect(spec.nodes.map((n) => n.id)).toEqual(['input', 'fc1']);
    expect(spec.edges).toEqual([{ from: 'input', to: 'fc1' }]);
    expect(inferShapes(spec).error?.fix).toBe('insert Flatten before fc1');
  });

  it('an invalid Linear reports the edge and the fix', () => {
    const report = inferShapes(setParam(logistic(), 'fc1', 'inFeatures', 100));
    expect(report.error).toMatchObject({ nodeId: 'fc1', edge: { from: 'flatten1', to: 'fc1' }, fix: 'set in_features of fc1 to 784' });
  });

  it('connect replaces a plain input, numbers merge ports, refuses cycles and self-loops', () => {
    let spec = logistic();
    spec = addFree(spec, 'ReLU', { x: 0, y: 0 }).spec;
    expect(connect(spec, 'fc1', 'flatten1')).toBeNull();
    expect(connect(spec, 'fc1', 'fc1')).toBeNull();
    expect(connect(spec, 'fc1', 'input')).toBeNull();
    const wired = connect(spec, 'fc1', 'relu1')!;
    expect(wired.edges.at(-1)).toEqual({ from: 'fc1', to: 'relu1' });
    const rewired = connect(wired, 'flatten1', 'relu1')!;
    expect(rewired.edges.filter((e) => e.to === 'relu1')).toEqual([{ from: 'flatten1', to: 'relu1' }]);
    let merge = addFree(rewired, 'Add', { x: 0, y: 0 }).spec;
    merge = connect(connect(merge, 'fc1', 'add1')!, 'relu1', 'add1')!;
    expect(merge.edges.filter((e) => e.to === 'add1').map((e) => e.port)).toEqual([0, 1]);
  });

  it('copy and paste a chain splices fresh ids in after the target', () => {
    let spec = appendAfter(logistic(), 'ReLU').spec;
    const fragment = copyNodes(spec, ['fc1', 'relu1'])!;
    const pasted = pasteFragment(spec, fragment, 'relu1');
    expect(pasted.ids).toEqual(['fc2', 'relu2']);
    expect(chainOf(pasted.spec)!.map((n) => n.id)).toEqual(['flatten1', 'fc1', 'relu1', 'fc2', 'relu2']);
    spec = pasted.spec;
    expect(copyNodes(spec, ['input'])).toBeNull();
  });
});

describe('History', () => {
  it('undo and redo give back the exact objects, and a new commit clears redo', () => {
    const a = emptySpec();
    const history = new History(a);
    const b = logistic();
    history.commit(b);
    const c = setParam(b, 'fc1', 'inFeatures', 100);
    history.commit(c);
    expect(history.undo()).toBe(b);
    expect(history.undo()).toBe(a);
    expect(history.canUndo).toBe(false);
    expect(history.redo()).toBe(b);
    expect(JSON.stringify(history.redo())).toBe(JSON.stringify(c));
    history.undo();
    history.commit(a);
    expect(history.canRedo).toBe(false);
  });

  it('ignores a commit of the same value and keeps at most `limit` steps', () => {
    const history = new History(0, 3);
    history.commit(0);
    expect(history.canUndo).toBe(false);
    for (let i = 1; i <= 5; i++) history.commit(i);
    history.undo();
    history.undo();
    history.undo();
    expect(history.undo()).toBe(2);
  });
});

import { describe, expect, it } from 'vitest';
import { getPreset, type ModelSpec, type OpName } from '../../../../common/spec';
import { dropItem, dropSpot, type ItemTarget } from './drop';
import { appendAfter, emptySpec } from './graph-edit';
import { COL_GAP, edgePath, layoutSpec, NODE_H, NODE_W, WRAP_GAP } from './layout';
import { itemFromKey } from './palette';
import { shortcutFor } from './shortcuts';
import { fitView, MAX_ZOOM, MIN_ZOOM } from './view-math';

const chain = () => appendAfter(appendAfter(emptySpec(), 'Flatten').spec, 'Linear').spec;

function recorder(spec: ModelSpec): ItemTarget & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    spec, calls,
    add: (op: OpName, after?: string) => void calls.push(['add', op, after]),
    addOnEdge: (op: OpName, index: number) => void calls.push(['edge', op, index]),
    addAt: (op: OpName, at: { x: number; y: number }) => void calls.push(['free', op, at]),
    setLoss: (type) => void calls.push(['loss', type]),
    setOptimizer: (type) => void calls.push(['optimizer', type]),
    setData: (patch) => void calls.push(['data', patch]),
  };
}

describe('drops', () => {
  it('onto an edge inserts, onto a node appends after it, elsewhere appends to the chain end', () => {
    const spec = chain();
    const [input, flatten] = spec.nodes.map((n) => n.ui as { x: number; y: number });
    const onEdge = { x: (input.x + NODE_W + flatten.x) / 2, y: input.y + NODE_H / 2 + 3 };
    expect(dropSpot(spec, onEdge)).toEqual({ kind: 'edge', index: 0 });
    expect(dropSpot(spec, { x: flatten.x + 5, y: flatten.y + 5 })).toEqual({ kind: 'node', id: 'flatten1' });
    expect(dropSpot(spec, { x: 5, y: 400 })).toEqual({ kind: 'end', id: 'fc1' });

    const target = recorder(spec);
    const relu = itemFromKey('op:ReLU')!;
    dropItem(target, relu, onEdge, false);
    dropItem(target, relu, { x: 5, y: 400 }, false);
    dropItem(target, relu, { x: 5, y: 400 }, true);
    dropItem(target, itemFromKey('loss:MSELoss')!, onEdge, false);
    dropItem(target, itemFromKey('optimizer:Adam')!, onEdge, false);
    dropItem(target, itemFromKey('dataset:fashion-mnist')!, onEdge, false);
    expect(target.calls).toEqual([
      ['edge', 'ReLU', 0], ['add', 'ReLU', 'fc1'], ['free', 'ReLU', { x: 5, y: 400 }],
      ['loss', 'MSELoss'], ['optimizer', 'Adam'], ['data', { dataset: 'fashion-mnist' }],
    ]);
  });
});

describe('layout and view', () => {
  it('wraps a chain onto rows of four, left to right; a skip edge over several columns arcs', () => {
    const laid = layoutSpec(getPreset('Residual-MLP')!);
    const x = (id: string) => (laid.nodes.find((n) => n.id === id)!.ui as { x: number }).x;
    expect(x('add1')).toBeGreaterThan(x('relu2'));
    expect(edgePath({ x: 0, y: 0 }, { x: 3 * COL_GAP, y: 0 }).arc).toBe(true);
    expect(edgePath({ x: 0, y: 0 }, { x: COL_GAP, y: 0 }).arc).toBe(false);
    const lenet = layoutSpec(getPreset('LeNet-5')!).nodes.map((n) => n.ui as { x: number; y: number });
    expect(lenet.slice(0, 4).map((p) => p.y)).toEqual([60, 60, 60, 60]);
    expect(lenet.slice(0, 5).map((p) => p.x)).toEqual([40, 260, 480, 700, 40]);
    expect(lenet[4].y).toBe(60 + WRAP_GAP);
    expect(edgePath(lenet[3], lenet[4]).badge.y).toBeGreaterThan(lenet[3].y + NODE_H);
  });

  it('fit never zooms past 1 and stays in range', () => {
    expect(fitView([{ x: 0, y: 0 }], 800, 400).zoom).toBe(1);
    const wide = fitView(Array.from({ length: 40 }, (_, i) => ({ x: i * 220, y: 0 })), 800, 400);
    expect(wide.zoom).toBe(MIN_ZOOM);
    expect(MAX_ZOOM).toBeGreaterThan(1);
  });
});

describe('shortcuts', () => {
  const key = (k: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; metaKey: boolean; altKey: boolean }> = {}) =>
    ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
  it('maps Ctrl/⌘ keys, and only the command palette while typing', () => {
    expect(shortcutFor(key('z', { ctrlKey: true }), false)).toBe('undo');
    expect(shortcutFor(key('Z', { ctrlKey: true, shiftKey: true }), false)).toBe('redo');
    expect(shortcutFor(key('y', { metaKey: true }), false)).toBe('redo');
    expect(shortcutFor(key('Delete'), false)).toBe('delete');
    expect(shortcutFor(key('Delete'), true)).toBeNull();
    expect(shortcutFor(key('z', { ctrlKey: true }), true)).toBeNull();
    expect(shortcutFor(key('k', { ctrlKey: true }), true)).toBe('commands');
    expect(shortcutFor(key('a'), false)).toBeNull();
  });
});

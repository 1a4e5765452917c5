import { describe, expect, it } from 'vitest';
import { getPreset, type ModelSpec, type OpName } from '../../../../common/spec';
import { BuilderCore } from './builder-core';
import { dropItem, dropSpot, type ItemTarget } from './drop';
import { continueGesture, drawnAt, finishGesture, startGesture } from './gestures';
import { appendAfter, emptySpec } from './graph-edit';
import { COL_GAP, edgePath, layoutSpec, NODE_H, NODE_W, nodesInBand, WRAP_GAP } from './layout';
import { itemFromKey } from './palette';
import { shortcutFor } from './shortcuts';
import { fitView, MAX_ZOOM, MIN_ZOOM, revealPan } from './view-math';

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

  it('a rubber band selects the nodes it touches, whichever way it was drawn', () => {
    const nodes = [{ id: 'a', at: { x: 0, y: 0 } }, { id: 'b', at: { x: 220, y: 0 } }, { id: 'c', at: { x: 0, y: 200 } }];
    expect(nodesInBand(nodes, { x: 300, y: 10 }, { x: 100, y: -20 })).toEqual(['a', 'b']);
    expect(nodesInBand(nodes, { x: 160, y: 70 }, { x: 200, y: 190 })).toEqual([]);
  });

  it('reveal pans only as far as needed to show a node', () => {
    const view = { panX: 0, panY: 0, zoom: 1, width: 800, height: 400 };
    expect(revealPan({ x: 40, y: 60 }, view)).toEqual({ panX: 0, panY: 0 });
    expect(revealPan({ x: 700, y: 396 }, view)).toEqual({ panX: -(700 + NODE_W - 776), panY: -(396 + NODE_H - 376) });
    expect(revealPan({ x: -100, y: -50 }, view)).toEqual({ panX: 124, panY: 74 });
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

describe('gestures', () => {
  const none = { port: null, node: null, edge: null };
  const noMods = { shift: false, additive: false };
  const at = (x: number, y: number) => ({ x, y });

  it('drags the whole selection as one move; a click on an unselected node selects only it', () => {
    const b = new BuilderCore();
    b.add('Flatten');
    b.add('Linear');
    b.select(['flatten1', 'fc1']);
    let g = startGesture(b, { ...none, node: 'fc1' }, noMods, at(10, 10), at(0, 0))!;
    g = continueGesture(g, at(30, 50), at(0, 0)).next;
    expect(drawnAt(g, 'flatten1', at(100, 100))).toEqual(at(120, 140));
    expect(drawnAt(g, 'input', at(100, 100))).toEqual(at(100, 100));
    finishGesture(b, g, [], null);
    expect(b.spec.nodes.map((n) => n.ui)).toEqual([{ x: 40, y: 60 }, { x: 280, y: 100 }, { x: 500, y: 100 }]);
    startGesture(b, { ...none, node: 'input' }, noMods, at(0, 0), at(0, 0));
    expect(b.selection).toEqual(['input']);
    startGesture(b, { ...none, node: 'fc1' }, { shift: false, additive: true }, at(0, 0), at(0, 0));
    expect(b.selection).toEqual(['input', 'fc1']);
  });

  it('links port to node, pans the background, selects an edge, and bands with Shift', () => {
    const b = new BuilderCore();
    b.add('Flatten');
    b.addAt('ReLU', at(0, 300));
    const link = startGesture(b, { ...none, port: 'flatten1' }, noMods, at(0, 0), at(0, 0))!;
    finishGesture(b, continueGesture(link, at(5, 305), at(0, 0)).next, [], 'relu1');
    expect(b.spec.edges.at(-1)).toEqual({ from: 'flatten1', to: 'relu1' });
    const pan = startGesture(b, none, noMods, at(0, 0), at(100, 100))!;
    expect(b.selection).toEqual([]);
    expect(continueGesture(pan, at(0, 0), at(130, 90)).pan).toEqual({ x: 30, y: -10 });
    expect(startGesture(b, { ...none, edge: 0 }, noMods, at(0, 0), at(0, 0))).toBeNull();
    expect(b.selectedEdge).toBe(0);
    const band = startGesture(b, none, { shift: true, additive: false }, at(-10, -10), at(0, 0))!;
    finishGesture(b, continueGesture(band, at(100, 100), at(0, 0)).next, [{ id: 'input', at: at(40, 60) }, { id: 'relu1', at: at(0, 300) }], null);
    expect(b.selection).toEqual(['input']);
  });
});

import { describe, expect, it } from 'vitest';
import { getPreset, type ModelSpec, type OpName } from '../../../../common/model-spec';
import { BuilderCore } from './builder-core';
import { dropItem, dropSpot, type ItemTarget } from './drop';
import { continueGesture, drawnAt, finishGesture, startGesture } from './gestures';
import { appendAfter, emptySpec } from './graph-edit';
import { COL_GAP, edgePath, layoutSpec, NODE_H, NODE_W, nodesInBand, WRAP_GAP } from './layout';
import { itemFromKey } from './palette';
import { shortcutFor } from './shortcuts';
import { linkStep } from './keyboard-link';
import { clampPan, clampToCanvas, dropPosition, fitView, MAX_ZOOM, MIN_ZOOM, READABLE_ZOOM, revealPan, SMALL_TEXT_PX, toCanvasPoint } from './view-math';

const chain = () => appendAfter(appendAfter(emptySpec(), 'Flatten').spec, 'Linear').spec;

function recorder(spec: ModelSpec): ItemTarget & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    spec, calls,
  add: (op: OpName, after?: string, at?: { x: number; y: number }) => void calls.push(['add', op, after, at]),
    addOnEdge: (op: OpName, index: number, at?: { x: number; y: number }) => void calls.push(['edge', op, index, at]),
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
    dropItem(target, relu, { x: flatten.x + 5, y: flatten.y + 5 }, false);
    // The node's centre lands under the pointer: (5, 400) puts its top left at (5 − 74, 400 − 29), clamped to 0.
    const landed = { x: 0, y: 400 - NODE_H / 2 };
    const onEdgeAt = { x: onEdge.x - NODE_W / 2, y: Math.round(onEdge.y - NODE_H / 2) };
    expect(target.calls).toEqual([
      ['edge', 'ReLU', 0, onEdgeAt], ['add', 'ReLU', 'fc1', landed], ['free', 'ReLU', landed],
      ['loss', 'MSELoss'], ['optimizer', 'Adam'], ['data', { dataset: 'fashion-mnist' }],
      ['add', 'ReLU', 'flatten1', undefined],
    ]);
  });

  it('a drop on empty canvas lands where it was dropped, wired from the chain end; nothing else moves', () => {
    const b = new BuilderCore();
    b.add('Flatten');
    const before = b.spec.nodes.map((n) => n.ui);
    dropItem(b, itemFromKey('op:Linear')!, { x: 600, y: 300 }, false);
    expect(b.spec.nodes.map((n) => n.ui)).toEqual([...before, { x: 600 - NODE_W / 2, y: 300 - NODE_H / 2 }]);
    expect(b.spec.edges.at(-1)).toEqual({ from: 'flatten1', to: 'fc1' });
    expect(b.spec.nodes.at(-1)!.params).toEqual({ inFeatures: 784, outFeatures: 10 });
  });

  it('screen → canvas under pan and zoom: the drop point is where the pointer is', () => {
    const view = { panX: -120, panY: 40, zoom: 0.5 };
    // 300 px from the canvas's left edge at pan −120, zoom ½ is canvas x (300 + 120) / 0.5 = 840.
    expect(toCanvasPoint(300, 140, view)).toEqual({ x: 840, y: 200 });
    const p = toCanvasPoint(300, 140, view);
    expect({ x: p.x * view.zoom + view.panX, y: p.y * view.zoom + view.panY }).toEqual({ x: 300, y: 140 });
    expect(dropPosition(p)).toEqual({ x: 840 - NODE_W / 2, y: 200 - NODE_H / 2 });
    expect(toCanvasPoint(50, 50, { panX: 0, panY: 0, zoom: 2 })).toEqual({ x: 25, y: 25 });
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
    expect(lenet.slice(0, 5).map((p) => p.x)).toEqual([40, 240, 440, 640, 40]);
    expect(lenet[4].y).toBe(60 + WRAP_GAP);
    expect(edgePath(lenet[3], lenet[4]).badge.y).toBeGreaterThan(lenet[3].y + NODE_H);
  });

  it('an edge wrapping onto the next band runs through the gap between the bands, its badge clear of both', () => {
    const lenet = layoutSpec(getPreset('LeNet-5')!);
    const [pool1, conv2] = ['pool1', 'conv2'].map((id) => lenet.nodes.find((n) => n.id === id)!.ui as { x: number; y: number });
    const wrap = edgePath(pool1, conv2);
    expect(wrap.d).toMatch(/^M\S+ H/);
    expect(wrap.badge.y - 9).toBeGreaterThan(pool1.y + NODE_H);
    // The next band's own badges sit 38 px above its nodes; the wrap badge (18 px tall) ends above them.
    expect(wrap.badge.y + 9).toBeLessThan(conv2.y - 38 - 9);
    // A drop on the gap segment of that edge inserts there, though it is far from the straight line between the ports.
    expect(dropSpot(lenet, { x: (pool1.x + conv2.x) / 2 + 40, y: wrap.badge.y + 2 })).toEqual({ kind: 'edge', index: lenet.edges.findIndex((e) => e.from === 'pool1') });
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

  it('the 8-node residual MLP wraps (it is a graph, not a chain) so Fit shows it whole at a readable zoom on an 800×416 canvas', () => {
    const laid = layoutSpec(getPreset('Residual-MLP')!);
    const points = laid.nodes.map((n) => n.ui as { x: number; y: number });
    expect(new Set(points.map((p) => p.y)).size).toBe(2);
    expect(Math.max(...points.map((p) => p.x))).toBe(40 + 3 * COL_GAP);
    const fit = fitView(points, 800, 416);
    expect(fit.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    for (const p of points) {
      const left = p.x * fit.zoom + fit.panX, top = p.y * fit.zoom + fit.panY;
      expect(left).toBeGreaterThanOrEqual(0);
      expect(top).toBeGreaterThanOrEqual(0);
      expect(left + NODE_W * fit.zoom).toBeLessThanOrEqual(800);
      expect(top + NODE_H * fit.zoom).toBeLessThanOrEqual(416);
    }
  });

  it('fit never zooms past 1, nor below the readable zoom: a graph too big shows its start and pans', () => {
    expect(fitView([{ x: 0, y: 0 }], 800, 400).zoom).toBe(1);
    expect(SMALL_TEXT_PX * READABLE_ZOOM).toBeCloseTo(11);
    const wide = fitView(Array.from({ length: 40 }, (_, i) => ({ x: 40 + i * 220, y: 60 })), 800, 400);
    expect(wide.zoom).toBe(READABLE_ZOOM);
    // The first node (the Input) is on screen, left-aligned inside the padding of the box.
    expect(40 * wide.zoom + wide.panX).toBeCloseTo(30 * wide.zoom);
    expect(MIN_ZOOM).toBeLessThan(READABLE_ZOOM);
    expect(MAX_ZOOM).toBeGreaterThan(1);
  });

  it('clamps: nodes stay in the positive quadrant; panning keeps part of the graph on screen', () => {
    expect(clampToCanvas({ x: -40.4, y: 12.6 })).toEqual({ x: 0, y: 13 });
    expect(dropPosition({ x: 10, y: 10 })).toEqual({ x: 0, y: 0 });
    const box = { x: 0, y: 0, width: 1000, height: 300 };
    expect(clampPan(0, 0, 1, box, 800, 400)).toEqual({ panX: 0, panY: 0 });
    // Panned far right: the box's left edge stops 160 px before the view's right edge; far left, its right edge 160 px in.
    expect(clampPan(5000, 0, 1, box, 800, 400).panX).toBe(640);
    expect(clampPan(-5000, 0, 1, box, 800, 400).panX).toBe(160 - 1000);
    expect(clampPan(0, -5000, 0.5, box, 800, 400).panY).toBe(0); // 150 px tall at ½: it stays whole
    // A graph less than 160 px tall stays whole on screen (wider than that, its 160 px); a view showing it is left alone.
    const small = { x: 10, y: 20, width: 208, height: 138 };
    expect(clampPan(0, 0, 1, small, 800, 400)).toEqual({ panX: 0, panY: 0 });
    expect(clampPan(-5000, 5000, 1, small, 800, 400)).toEqual({ panX: 160 - 218, panY: 400 - 138 - 20 });
  });
});

describe('keyboard wiring', () => {
  const key = (k: string, mods: Partial<{ ctrlKey: boolean; shiftKey: boolean; metaKey: boolean; altKey: boolean }> = {}) =>
    ({ key: k, ctrlKey: false, metaKey: false, shiftKey: false, altKey: false, ...mods });
  it('C starts from the focused node, Enter or C on another finishes, Escape or C on the start cancels', () => {
    expect(linkStep(key('c'), null, 'fc1')).toEqual({ kind: 'start', from: 'fc1' });
    expect(linkStep(key('Enter'), null, 'fc1')).toBeNull();
    expect(linkStep(key('c', { ctrlKey: true }), null, 'fc1')).toBeNull();
    expect(linkStep(key('Enter'), 'fc1', 'relu1')).toEqual({ kind: 'finish', from: 'fc1', to: 'relu1' });
    expect(linkStep(key('C'), 'fc1', 'relu1')).toEqual({ kind: 'finish', from: 'fc1', to: 'relu1' });
    expect(linkStep(key('Escape'), 'fc1', 'relu1')).toEqual({ kind: 'cancel', from: 'fc1' });
    expect(linkStep(key('c'), 'fc1', 'fc1')).toEqual({ kind: 'cancel', from: 'fc1' });
    expect(linkStep(key('ArrowDown'), 'fc1', 'relu1')).toBeNull();
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
    expect(b.spec.nodes.map((n) => n.ui)).toEqual([{ x: 40, y: 60 }, { x: 260, y: 100 }, { x: 460, y: 100 }]);
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

import { describe, expect, it } from 'vitest';
import { preview, WIRE_LIMITS, wireProblem } from './wire-limits';

/** `{"a":{"a":…}}` nested `depth` times around 1, the shape that took the browser host down. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

describe('wireProblem', () => {
  it('accepts real messages: a frame with a spec, an upload chunk, a predict image', () => {
    const spec = { version: 1, nodes: [{ id: 'input', op: 'Input', params: { shape: [1, 28, 28] } }], edges: [] };
    expect(wireProblem({ kind: 'engine', message: { type: 'run-start', spec } })).toBeNull();
    expect(wireProblem([{ uploadId: null, file: 'a', offset: 0, base64: 'A'.repeat(5_600_000) }])).toBeNull();
    expect(wireProblem({ type: 'predict', requestId: 1, image: new Array(784).fill(0) })).toBeNull();
    expect(wireProblem(null)).toBeNull();
  });

  it('takes exactly maxDepth levels and refuses one more', () => {
    expect(wireProblem(nested(WIRE_LIMITS.maxDepth))).toBeNull();
    expect(wireProblem(nested(WIRE_LIMITS.maxDepth + 1))).toMatchObject({ code: 'too-deep' });
    expect(wireProblem([[[[1]]]], { ...WIRE_LIMITS, maxDepth: 3 })).toMatchObject({ code: 'too-deep' });
  });

  it('refuses 5,000 (and a million) levels without overflowing the stack', () => {
    expect(wireProblem(nested(5000))).toMatchObject({ code: 'too-deep' });
    const text = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    expect(wireProblem(JSON.parse(text))).toMatchObject({ code: 'too-deep' });
  });

  it('refuses a cycle as too deep, and a Map or Set nesting as deep as anything else', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(wireProblem(cyclic)).toMatchObject({ code: 'too-deep' });
    let map: unknown = 1;
    for (let i = 0; i < 100; i++) map = new Map([['k', map]]);
    expect(wireProblem(map)).toMatchObject({ code: 'too-deep' });
    expect(wireProblem(new Set([new Set([1])]), { ...WIRE_LIMITS, maxDepth: 1 })).toMatchObject({ code: 'too-deep' });
  });

  it('refuses too many values, and a sparse array of length 1e9 without walking it', () => {
    expect(wireProblem(new Array(11).fill(0), { ...WIRE_LIMITS, maxValues: 10 })).toMatchObject({ code: 'too-large' });
    expect(wireProblem(new Array(10).fill(0), { ...WIRE_LIMITS, maxValues: 11 })).toBeNull();
    const started = performance.now();
    expect(wireProblem(new Array(1e9))).toMatchObject({ code: 'too-large' });
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('refuses too many bytes, counting strings, keys and typed arrays', () => {
    const limits = { ...WIRE_LIMITS, maxBytes: 1000 };
    expect(wireProblem('x'.repeat(1001), limits)).toMatchObject({ code: 'too-large' });
    expect(wireProblem({ ['k'.repeat(1001)]: 1 }, limits)).toMatchObject({ code: 'too-large' });
    expect(wireProblem({ a: new Uint8Array(1001) }, limits)).toMatchObject({ code: 'too-large' });
    expect(wireProblem('x'.repeat(900), limits)).toBeNull();
    expect(wireProblem('x'.repeat(WIRE_LIMITS.maxBytes + 1))).toMatchObject({ code: 'too-large' });
  });
});

describe('preview', () => {
  it('quotes short strings whole and cuts long ones, naming their length', () => {
    expect(preview('mnist')).toBe('"mnist"');
    expect(preview('x'.repeat(10_000_000))).toBe(`"${'x'.repeat(60)}"… (10000000 characters)`);
  });

  it('writes scalars out and names everything else by kind, never serializing it', () => {
    expect([preview(1.5), preview(NaN), preview(true), preview(null), preview(undefined)]).toEqual(['1.5', 'NaN', 'true', 'null', 'undefined']);
    expect([preview([1]), preview({ a: 1 }), preview(() => 1)]).toEqual(['an array', 'a object', 'a function']);
  });
});

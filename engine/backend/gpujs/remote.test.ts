/**
 * What a RemoteRunner sends, seen through a port that answers at once in this thread (the message is cloned, with
 * its transfer list, as postMessage clones it): how arguments cross, without a worker. The worker's side runs in
 * engine/node/gpujs-worker.test.ts and step-plans.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { Conv2dAttrs } from '../cpu/conv';
import type { MaxPool2dAttrs } from '../cpu/pool';
import { constantArray, planConvBackward, planConvForward, planMatmul, planMaxPool } from './plans';
import { RemoteRunner, remoteChannel } from './remote';
import { REPLY, type RemoteMessage } from './remote-worker';

/** A runner whose port records each message as the worker would receive it, and the buffers it moved. */
function recordingRunner() {
  const channel = remoteChannel('webgpu');
  const control = new Int32Array(channel.control);
  /** Each message as received, and the buffers that moved with it, and their sizes. */
  const sent: Array<{ message: RemoteMessage; moved: ArrayBuffer[]; movedBytes: number[] }> = [];
  const answer = (m: RemoteMessage): void => {
    if (m.t === 'batch') return m.messages.forEach(answer);
    if (!('ticket' in m)) return;
    // A stats request (what these tests send to have the queue sent) is answered with an empty object.
    new Uint16Array(channel.data)[0] = '{'.charCodeAt(0);
    new Uint16Array(channel.data)[1] = '}'.charCodeAt(0);
    control[REPLY.STATUS] = REPLY.OK;
    control[REPLY.LENGTH] = m.t === 'stats' ? 2 : 0;
    control[REPLY.TICKET] = m.ticket;
  };
  const runner = new RemoteRunner('webgpu', {
    post(message, transfer = []) {
      const movedBytes = transfer.map((b) => b.byteLength); // before: moved, they are empty here
      const received = structuredClone(message, { transfer }) as RemoteMessage;
      sent.push({ message: received, moved: transfer, movedBytes });
      answer(received);
    },
    terminate() {},
  }, channel);
  const launches = () => sent
    .flatMap(({ message }) => (message.t === 'batch' ? message.messages : [message]))
    .filter((m): m is Extract<RemoteMessage, { t: 'launch' }> => m.t === 'launch');
  /** Sends what is queued (with a request, as a step's read does). */
  const send = () => runner.stats();
  return { runner, sent, launches, send };
}

const COPY = 'function (x) {\n  return x[this.thread.x];\n}';
const conv: Conv2dAttrs = { strideH: 1, strideW: 1, padTop: 0, padBottom: 0, padLeft: 0, padRight: 0, dilationH: 1, dilationW: 1, groups: 1 };
const pool: MaxPool2dAttrs = { kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, dilationH: 1, dilationW: 1, ceilMode: false };
const all = { macs: 0, elements: 0 };

describe('small constant arguments are shared, one array per content', () => {
  it('the same values give the same array; other values, lengths or −0 give another, with its own values', () => {
    const a = constantArray([1, 2, 3]);
    expect(constantArray(Int32Array.of(1, 2, 3))).toBe(a);
    expect(Array.from(a)).toEqual([1, 2, 3]);
    const others = [constantArray([1, 2, 4]), constantArray([1, 2]), constantArray([1, 2, 3, 0]), constantArray([0]), constantArray([-0])];
    expect(new Set([a, ...others]).size).toBe(6);
    expect(Array.from(others[1])).toEqual([1, 2]);
    expect(Object.is(others[3][0], 0) && Object.is(others[4][0], -0)).toBe(true);
    // Rounded to float32 first: values that are one float32 are one array.
    expect(constantArray([0.1])).toBe(constantArray([Math.fround(0.1)]));
  });

  it('launches share their geometry and offsets: a convolution\'s forward and backward, a max pool, a matmul', () => {
    const x = new Float32Array(2 * 1 * 6 * 6);
    const w = new Float32Array(3 * 1 * 3 * 3);
    const forward = planConvForward(x, [2, 1, 6, 6], w, [3, 1, 3, 3], null, conv, all)!;
    const again = planConvForward(new Float32Array(x.length), [2, 1, 6, 6], w, [3, 1, 3, 3], null, conv, all)!;
    const backward = planConvBackward(new Float32Array(2 * 3 * 4 * 4), x, [2, 1, 6, 6], w, [3, 1, 3, 3], conv, { input: true, weight: true, bias: false }, all)!;
    expect(again.args[3]).toBe(forward.args[3]);
    expect(backward.dx!.args[2]).toBe(forward.args[3]);
    expect(Array.from(forward.args[3] as Float32Array).slice(0, 9)).toEqual([2, 1, 6, 6, 3, 3, 3, 4, 4]);
    expect(again.args[2]).toBe(forward.args[2]); // the absent bias's placeholder
    expect(planMaxPool(x, [2, 1, 6, 6], pool, all)!.geometry).toBe(planMaxPool(new Float32Array(x.length), [2, 1, 6, 6], pool, all)!.geometry);
    const m = planMatmul(new Float32Array(6), new Float32Array(6), { m: 2, k: 3, n: 2, aOffsets: Int32Array.of(0), bOffsets: Int32Array.of(0), dtype: 'float32' }, all)!;
    expect(m.args[2]).toBe(m.args[3]);
  });

  it('a shared constant crosses to the worker as a copy and stays whole here, batch after batch', () => {
    const { runner, sent, launches, send } = recordingRunner();
    const geometry = constantArray([7, 8, 9]);
    for (let step = 0; step < 3; step++) {
      runner.runOnDevice({ source: COPY, n: 3, args: [geometry] });
      send();
    }
    expect(launches().map((l) => Array.from(l.args[0] as Float32Array))).toEqual([[7, 8, 9], [7, 8, 9], [7, 8, 9]]);
    expect(sent.flatMap((s) => s.moved)).not.toContain(geometry.buffer);
    expect(Array.from(geometry)).toEqual([7, 8, 9]);
    expect(constantArray([7, 8, 9])).toBe(geometry);
  });
});

describe('large arguments', () => {
  it('cross with the message: the caller keeps its array, and a batch that passes it twice carries one array', () => {
    const { runner, sent, launches, send } = recordingRunner();
    const batch = Float32Array.from({ length: 5000 }, (_, i) => i);
    // A kernel's first launch is sent on its own and checked; from the next one on, a step's launches go together.
    runner.runOnDevice({ source: COPY, n: 1, args: [new Float32Array(1)] });
    runner.runOnDevice({ source: `${COPY}\n// dw`, n: 1, args: [new Float32Array(1), 2] });
    sent.length = 0;
    runner.runOnDevice({ source: COPY, n: batch.length, args: [batch] });
    runner.runOnDevice({ source: `${COPY}\n// dw`, n: batch.length, args: [batch, 2] });
    send();
    expect(sent).toHaveLength(1);
    const [first, second] = launches();
    // One array in the worker for both launches (step plans key a large array by its identity).
    expect(second.args[0]).toBe(first.args[0]);
    expect(Array.from(first.args[0] as Float32Array)).toEqual(Array.from(batch));
    expect(sent[0].movedBytes).toEqual([]);
    expect(batch.length).toBe(5000); // not detached
  });

  it('part of a larger buffer crosses as its own copy, not the whole buffer', () => {
    const { runner, launches, send } = recordingRunner();
    const backing = Float32Array.from({ length: 3000 }, (_, i) => i);
    runner.runOnDevice({ source: COPY, n: 1000, args: [backing.subarray(1000, 2000)] });
    send();
    const [launch] = launches();
    const got = launch.args[0] as Float32Array;
    expect(got.buffer.byteLength).toBe(4000);
    expect([got[0], got[999]]).toEqual([1000, 1999]);
  });
});

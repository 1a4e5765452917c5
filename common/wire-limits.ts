/**
 * How deep and how big one untrusted message may be, checked before anything recurses over it: the dispatcher, the
 * engine host's validators, and above all Node's IPC serializer, which recurses once per level and took the whole
 * browser host down on a 30 KB frame nested 5,000 deep. Every path from a renderer applies the same limits: the
 * browser host's WebSocket frames, Electron's IPC calls and the engine MessagePort.
 *
 * Real messages are shallow and modest: a model spec is a flat graph (frame → message → spec → nodes → node →
 * params → a shape array is 7 levels), and the largest is an upload chunk's base64 (under 6 MB).
 *
 * ```ts
 * const problem = wireProblem(JSON.parse(text));
 * if (problem) reply({ code: problem.code, message: problem.message });
 * ```
 */

export interface WireLimits {
  /** Nested arrays and objects (a scalar at the top is depth 0, `[1]` is depth 1). */
  maxDepth: number;
  /** Values of every kind, keys not counted. */
  maxValues: number;
  /** Approximate bytes: string lengths (keys included), typed-array bytes, 8 per other value. */
  maxBytes: number;
}

export const WIRE_LIMITS: WireLimits = {
  maxDepth: 32,
  maxValues: 1_000_000,
  // The browser host's WebSocket refuses bigger frames outright (ws maxPayload).
  maxBytes: 32 * 1024 * 1024,
};

export interface WireProblem {
  code: 'too-deep' | 'too-large';
  message: string;
}

/**
 * Walks `value` with an explicit stack (never the JS call stack), stopping at the first limit it crosses; values are
 * counted as they are reached, so the stack and the cost are bounded by the limits, not by the message (a sparse
 * array of length 1e9 stops at maxValues). A cycle (structured clone can carry one) reads as too deep.
 */
export function wireProblem(value: unknown, limits: WireLimits = WIRE_LIMITS): WireProblem | null {
  const stack: [unknown, number][] = [[value, 0]];
  let values = 1;
  let bytes = 0;
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    bytes += sizeOf(item);
    if (bytes > limits.maxBytes) return tooLarge(`more than ${Math.round(limits.maxBytes / 1048576)} MiB`);
    const children = childrenOf(item);
    if (!children) continue;
    if (depth + 1 > limits.maxDepth) {
      return { code: 'too-deep', message: `the message is nested more than ${limits.maxDepth} levels deep` };
    }
    for (const [key, child] of children) {
      if (++values > limits.maxValues) return tooLarge(`more than ${limits.maxValues.toLocaleString('en')} values`);
      if (typeof key === 'string') bytes += key.length;
      stack.push([child, depth + 1]);
    }
  }
  return null;
}

function sizeOf(item: unknown): number {
  if (typeof item === 'string') return item.length;
  if (ArrayBuffer.isView(item) || item instanceof ArrayBuffer) return item.byteLength;
  return 8;
}

/** The entries of a container (lazily where it can), or null for a leaf. Maps and Sets count: structured clone carries them. */
function childrenOf(item: unknown): Iterable<[unknown, unknown]> | null {
  if (typeof item !== 'object' || item === null || ArrayBuffer.isView(item) || item instanceof ArrayBuffer) return null;
  if (Array.isArray(item)) return item.entries();
  if (item instanceof Map) return mapEntries(item);
  if (item instanceof Set) return setEntries(item);
  if (item instanceof Date || item instanceof RegExp) return null;
  return Object.entries(item);
}

function* mapEntries(map: Map<unknown, unknown>): Iterable<[unknown, unknown]> {
  for (const [k, v] of map) {
    yield [null, k];
    yield [null, v];
  }
}

function* setEntries(set: Set<unknown>): Iterable<[unknown, unknown]> {
  for (const v of set) yield [null, v];
}

function tooLarge(what: string): WireProblem {
  return { code: 'too-large', message: `the message is too large (${what})` };
}

/**
 * A short, safe rendering of an untrusted value for an error message: a string is quoted and cut at `max`
 * characters, a number or boolean is written out, anything else is named by its kind. An error that quoted a
 * 10 MB name whole would send it back, and keep it in memory, once per frame.
 *
 * ```ts
 * preview('x'.repeat(1e7)) // '"xxxx…" (10000000 characters)'
 * preview({ a: 1 })        // 'an object'
 * ```
 */
export function preview(value: unknown, max = 60): string {
  if (typeof value === 'string') {
    return value.length <= max ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, max))}… (${value.length} characters)`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

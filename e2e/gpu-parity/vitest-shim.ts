/**
 * Just enough of vitest's API for engine/test/*.test.ts to run inside a browser page: describe/it (with .each and
 * .skipIf), before/after hooks and the expect matchers those files use. Tests are collected when a test file is
 * imported and run, in order, by `runAll()`. The page's vite config aliases 'vitest' to this file.
 */

type Fn = () => unknown;

interface Suite {
  name: string;
  children: (Suite | Test)[];
  beforeAll: Fn[];
  afterAll: Fn[];
  beforeEach: Fn[];
  afterEach: Fn[];
  /** Why it is skipped, or false. */
  skip: Skip;
}

interface Test {
  name: string;
  fn: Fn;
  skip: Skip;
}

/** A skip's reason: a skipIf condition that is a sentence says it; any other true condition says less. */
type Skip = string | false;
const skipReason = (cond: unknown): Skip => (typeof cond === 'string' && cond ? cond : cond ? 'its skipIf condition holds, and gives no reason' : false);

export interface TestResult {
  name: string;
  status: 'pass' | 'fail' | 'skip';
  error?: string;
  /** Why a skipped test did not run. */
  reason?: string;
  /** A measurement worth printing (the kernel checks' worst error). */
  detail?: string;
}

const root: Suite = { name: '', children: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [], skip: false };
let current = root;

/** vitest's printf-style titles: %s %d %i %j %f %o %%. */
function format(title: string, args: unknown[]): string {
  let i = 0;
  const out = title.replace(/%[sdifjo%]/g, (m) => {
    if (m === '%%') return '%';
    const v = args[i++];
    return m === '%j' || m === '%o' ? JSON.stringify(v) : String(v);
  });
  return out;
}

function suite(name: string, body: Fn, skip: Skip = false): void {
  const s: Suite = { name, children: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [], skip };
  current.children.push(s);
  const parent = current;
  current = s;
  try {
    body();
  } finally {
    current = parent;
  }
}

function test(name: string, fn: Fn, skip: Skip = false): void {
  current.children.push({ name, fn, skip });
}

type Each<R> = (cases: readonly unknown[]) => (title: string, fn: (...args: never[]) => unknown) => R;

function withExtras<T extends (name: string, fn: Fn) => void>(base: (name: string, fn: Fn, skip?: Skip) => void): T & {
  each: Each<void>;
  skipIf: (cond: unknown) => (name: string, fn: Fn) => void;
  skip: (name: string, fn: Fn) => void;
} {
  const f = ((name: string, fn: Fn) => base(name, fn)) as T & { each: Each<void>; skipIf: (c: unknown) => (n: string, fn: Fn) => void; skip: (n: string, fn: Fn) => void };
  f.each = (cases) => (title, fn) => {
    for (const c of cases) {
      const args = Array.isArray(c) ? c : [c];
      base(format(title, args), () => (fn as (...a: unknown[]) => unknown)(...args));
    }
  };
  f.skipIf = (cond) => (name, fn) => base(name, fn, skipReason(cond));
  f.skip = (name, fn) => base(name, fn, 'marked .skip');
  return f;
}

export const describe = withExtras<(name: string, fn: Fn) => void>(suite);
export const it = withExtras<(name: string, fn: Fn) => void>(test);
export { it as test };

export const beforeAll = (fn: Fn): void => void current.beforeAll.push(fn);
export const afterAll = (fn: Fn): void => void current.afterAll.push(fn);
export const beforeEach = (fn: Fn): void => void current.beforeEach.push(fn);
export const afterEach = (fn: Fn): void => void current.afterEach.push(fn);

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b) || Array.isArray(a) || Array.isArray(b)) {
    const x = a as ArrayLike<unknown>;
    const y = b as ArrayLike<unknown>;
    if (Array.isArray(a) !== Array.isArray(b) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!deepEqual(x[i], y[i])) return false;
    return true;
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const show = (v: unknown): string => {
  try {
    return JSON.stringify(ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v)?.slice(0, 300) ?? String(v);
  } catch {
    return String(v);
  }
};

function matchers(actual: unknown, negate: boolean) {
  const check = (ok: boolean, what: string, expected?: unknown): void => {
    if (ok === negate) throw new Error(`expected ${show(actual)} ${negate ? 'not ' : ''}${what}${expected === undefined ? '' : ` ${show(expected)}`}`);
  };
  return {
    toBe: (e: unknown) => check(Object.is(actual, e), 'to be', e),
    toEqual: (e: unknown) => check(deepEqual(actual, e), 'to equal', e),
    toStrictEqual: (e: unknown) => check(deepEqual(actual, e), 'to equal', e),
    toBeCloseTo: (e: number, digits = 2) => check(Math.abs((actual as number) - e) < 10 ** -digits / 2, `to be close to (${digits} digits)`, e),
    toBeLessThan: (e: number) => check((actual as number) < e, 'to be <', e),
    toBeLessThanOrEqual: (e: number) => check((actual as number) <= e, 'to be <=', e),
    toBeGreaterThan: (e: number) => check((actual as number) > e, 'to be >', e),
    toBeGreaterThanOrEqual: (e: number) => check((actual as number) >= e, 'to be >=', e),
    toBeNaN: () => check(Number.isNaN(actual), 'to be NaN'),
    toBeNull: () => check(actual === null, 'to be null'),
    toBeDefined: () => check(actual !== undefined, 'to be defined'),
    toBeUndefined: () => check(actual === undefined, 'to be undefined'),
    toBeTruthy: () => check(Boolean(actual), 'to be truthy'),
    toHaveLength: (n: number) => check((actual as ArrayLike<unknown>).length === n, 'to have length', n),
    toBeInstanceOf: (c: new (...a: never[]) => unknown) => check(actual instanceof c, `to be an instance of ${c.name}`),
    toContain: (e: unknown) => check((actual as unknown[]).includes(e), 'to contain', e),
    toMatch: (e: RegExp | string) => check(typeof e === 'string' ? String(actual).includes(e) : e.test(String(actual)), 'to match', String(e)),
    toThrow: (e?: string | RegExp) => {
      let thrown: unknown = null;
      try {
        (actual as Fn)();
      } catch (error) {
        thrown = error ?? new Error('undefined');
      }
      const message = thrown instanceof Error ? thrown.message : String(thrown);
      const ok = thrown !== null && (e === undefined || (typeof e === 'string' ? message.includes(e) : e.test(message)));
      if (ok === negate) throw new Error(`expected a function ${negate ? 'not ' : ''}to throw ${e ?? ''} (threw ${thrown === null ? 'nothing' : message})`);
    },
  };
}

export function expect(actual: unknown) {
  return { ...matchers(actual, false), not: matchers(actual, true) };
}

/** Runs every collected test in order; hooks run as vitest runs them (a suite's afterAll even when tests fail). */
export async function runAll(onResult: (r: TestResult) => void): Promise<void> {
  const each: { before: Fn[]; after: Fn[] } = { before: [], after: [] };
  async function visit(s: Suite, path: string[], skip: Skip): Promise<void> {
    const skipped = skip || s.skip;
    const before = each.before.length;
    const after = each.after.length;
    each.before.push(...s.beforeEach);
    each.after.unshift(...s.afterEach);
    let setupError: string | null = null;
    if (!skipped) {
      for (const h of s.beforeAll) {
        try {
          await h();
        } catch (error) {
          setupError = `beforeAll: ${String(error)}`;
        }
      }
    }
    for (const child of s.children) {
      const name = [...path, child.name].filter(Boolean).join(' > ');
      if ('fn' in child) {
        if (skipped || child.skip) {
          onResult({ name, status: 'skip', reason: skipped || child.skip || undefined });
          continue;
        }
        if (setupError) {
          onResult({ name, status: 'fail', error: setupError });
          continue;
        }
        try {
          for (const h of each.before) await h();
          await child.fn();
          for (const h of each.after) await h();
          onResult({ name, status: 'pass' });
        } catch (error) {
          onResult({ name, status: 'fail', error: error instanceof Error ? error.message : String(error) });
        }
      } else {
        await visit(child, [...path, child.name], skipped);
      }
    }
    if (!skipped) for (const h of s.afterAll) await h();
    each.before.length = before;
    each.after.splice(0, each.after.length - after);
  }
  await visit(root, [], false);
}

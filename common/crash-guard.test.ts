import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// In a process of its own: an uncaught exception is fatal only to a real process, never to a vitest worker.
describe('keepServing', () => {
  it('logs an uncaught exception and an unhandled rejection, and the process keeps running', () => {
    const helper = resolve(import.meta.dirname, 'crash-guard.ts');
    const script = `
      const { keepServing } = await import(${JSON.stringify(helper)});
      keepServing(process, 'test host', (...args) => console.log(...args.map(String)));
      setTimeout(() => { throw new Error('thrown in a timer'); }, 0);
      void Promise.reject(new Error('rejected and forgotten'));
      setTimeout(() => console.log('still serving'), 100);
    `;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(out).toContain('test host: uncaught exception, still serving: Error: thrown in a timer');
    expect(out).toContain('test host: unhandled rejection, still serving: Error: rejected and forgotten');
    expect(out.trim().split('\n').at(-1)).toBe('still serving');
  });
});

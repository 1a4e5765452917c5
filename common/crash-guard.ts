/**
 * Keeps a long-lived host process serving after an exception nobody caught. Node's default is to print it and
 * exit, and for the browser host and the engine host that takes every tab (and the run) down with one bad frame.
 * Every frame is already answered on its own (frames.ts, engine-host.ts); this is the net under the net: it logs
 * what escaped, with the process's name, and keeps going.
 *
 * The process and the log are passed in, so this stays a pure helper any wing may import:
 *
 * ```ts
 * keepServing(process, 'web host', console.error);
 * ```
 */

type Listener = (error: unknown) => void;

/** The part of Node's `process` this needs. */
export interface ProcessEvents {
  on(event: 'uncaughtException' | 'unhandledRejection', listener: Listener): unknown;
}

export function keepServing(proc: ProcessEvents, name: string, log: (...args: unknown[]) => void): void {
  proc.on('uncaughtException', (error) => log(`${name}: uncaught exception, still serving:`, error));
  proc.on('unhandledRejection', (reason) => log(`${name}: unhandled rejection, still serving:`, reason));
}

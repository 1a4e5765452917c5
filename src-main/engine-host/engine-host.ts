/**
 * The engine host's message handling, independent of how messages arrive (Electron parentPort + MessagePorts, or
 * child-process IPC). Every incoming message is untrusted: it is validated with checkEngineRequest, and a bad one
 * gets an `error` event back; nothing a peer sends can crash the host.
 */
import { checkEngineRequest, type EngineEvent, type EngineHello, type EngineRequest } from '../../common/engine-protocol';

/** Someone the engine host answers: main's control channel, or one renderer. */
export interface EnginePeer {
  readonly id: string;
  send(event: EngineEvent): void;
}

export class EngineHost {
  readonly #hello: EngineHello;

  constructor(hello: EngineHello) {
    this.#hello = hello;
  }

  get hello(): EngineHello {
    return this.#hello;
  }

  /** A renderer just got its channel: greet it, as main is greeted at startup. */
  connect(peer: EnginePeer): void {
    this.#reply(peer, { type: 'hello', hello: this.#hello });
  }

  handle(peer: EnginePeer, raw: unknown): void {
    const problem = checkEngineRequest(raw);
    if (problem) {
      const requestType = typeof (raw as { type?: unknown } | null)?.type === 'string'
        ? (raw as { type: string }).type
        : undefined;
      this.#reply(peer, { type: 'error', message: problem, ...(requestType ? { requestType } : {}) });
      return;
    }
    const request = raw as EngineRequest;
    try {
      this.#dispatch(peer, request);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#reply(peer, { type: 'error', message, requestType: request.type });
    }
  }

  #dispatch(peer: EnginePeer, request: EngineRequest): void {
    switch (request.type) {
      case 'hello':
        this.#reply(peer, { type: 'hello', hello: this.#hello });
        return;
      case 'ping':
        this.#reply(peer, { type: 'pong', id: request.id, pid: this.#hello.pid });
        return;
      default: {
        const unhandled: never = request;
        throw new Error(`no handler for ${JSON.stringify(unhandled)}`);
      }
    }
  }

  #reply(peer: EnginePeer, event: EngineEvent): void {
    try {
      peer.send(event);
    } catch (error) {
      // A peer that went away mid-answer is not the host's problem.
      console.warn(`engine host: could not answer ${peer.id}:`, error instanceof Error ? error.message : error);
    }
  }
}

/**
 * The engine host's message handling, independent of how messages arrive (Electron parentPort + MessagePorts, or
 * child-process IPC). Every incoming message is untrusted: it is validated with checkEngineRequest, and a bad one
 * gets an `error` event back; nothing a peer sends can crash the host. A renderer's message is first held to the
 * wire limits (common/wire-limits.ts): in Electron it arrives on a MessagePort straight from the page, and nothing
 * else has measured it before the validators and the run store recurse over it. Main's own messages are trusted
 * (its `dataset` carries tens of MB of typed arrays).
 */
import { checkEngineRequest, type EngineEvent, type EngineHello, type EngineRequest } from '../../common/engine-protocol';
import type { InsideRequest } from '../../common/inside-protocol';
import { isLessonRequest, type LessonRequest } from '../../common/lesson-protocol';
import type { TrainingRequest } from '../../common/training-protocol';
import { wireProblem } from '../../common/wire-limits';

/** What runs training (src-main/engine-host/training's RunManager); the host only routes to it. */
export interface TrainingHandler {
  connect(peer: EnginePeer): void;
  handle(peer: EnginePeer, request: TrainingRequest | InsideRequest): Promise<void>;
}

/** What runs the Learn tab's lesson steps (src-main/engine-host/lesson's LessonRunner); the host only routes to it. */
export interface LessonHandler {
  handle(peer: EnginePeer, request: LessonRequest): Promise<void>;
  /** The peer's channel closed: stop its step and forget its notebook. */
  disconnect?(peerId: string): void;
}

/** Someone the engine host answers: main's control channel, or one renderer. */
export interface EnginePeer {
  readonly id: string;
  send(event: EngineEvent): void;
}

export class EngineHost {
  readonly #hello: EngineHello;
  readonly #renderers = new Map<string, EnginePeer>();
  #training: TrainingHandler | null = null;
  #lessons: LessonHandler | null = null;

  constructor(hello: EngineHello, training?: (host: EngineHost) => TrainingHandler, lessons?: LessonHandler) {
    this.#hello = hello;
    this.#training = training?.(this) ?? null;
    this.#lessons = lessons ?? null;
  }

  /** Every renderer that has connected or sent a frame, until it closes: training events go to all of them. */
  get renderers(): Iterable<EnginePeer> {
    return this.#renderers.values();
  }

  /** A renderer's channel closed. */
  disconnect(peerId: string): void {
    this.#renderers.delete(peerId);
    this.#lessons?.disconnect?.(peerId);
  }

  get hello(): EngineHello {
    return this.#hello;
  }

  /** A renderer just got its channel: greet it, as main is greeted at startup. */
  connect(peer: EnginePeer): void {
    this.#reply(peer, { type: 'hello', hello: this.#hello });
    this.#remember(peer);
  }

  handle(peer: EnginePeer, raw: unknown): void {
    // After an engine restart the browser host's tabs are known only by their frames: the first one registers.
    if (peer.id !== 'main' && !this.#renderers.has(peer.id)) this.#remember(peer);
    const problem = (peer.id === 'main' ? null : wireProblem(raw)?.message) ?? checkEngineRequest(raw);
    if (problem) {
      const type = (raw as { type?: unknown } | null)?.type;
      // At most a name's worth of the type goes back: a huge string is not worth echoing.
      const requestType = typeof type === 'string' ? type.slice(0, 80) : undefined;
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
      default:
        if (isLessonRequest(request)) {
          if (!this.#lessons) throw new Error(`${request.type}: this engine host runs no lessons`);
          this.#answerFailure(peer, request.type, this.#lessons.handle(peer, request));
          return;
        }
        if (!this.#training) throw new Error(`${request.type}: this engine host does not train`);
        this.#answerFailure(peer, request.type, this.#training.handle(peer, request));
    }
  }

  /** The handlers answer their own failures; anything that still escapes is this request's error, not the host's. */
  #answerFailure(peer: EnginePeer, requestType: string, work: Promise<void>): void {
    work.catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      this.#reply(peer, { type: 'error', message, requestType });
    });
  }

  #remember(peer: EnginePeer): void {
    if (peer.id === 'main') return;
    this.#renderers.set(peer.id, peer);
    this.#training?.connect(peer);
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

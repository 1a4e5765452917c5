/**
 * The page's engine traffic where it crosses to the browser host: a route on the page's WebSocket that forwards every
 * frame both ways (the real host answers) and notes each engine message in the order it crossed. `hold(type)` keeps
 * the host's answers of that type back until `release()`: an engine as slow as a spec needs, with no clock involved.
 *
 *   const line = await EngineLine.route(page);   // before page.goto
 *   line.hold('prediction'); …draw…; line.release();
 *   line.since(mark).filter((f) => f.way === 'sent' && f.message.type === 'predict');
 */
import type { Page } from '@playwright/test';

export interface EngineMessage {
  type: string;
  requestId?: number;
  [field: string]: unknown;
}

export interface EngineFrame {
  /** sent: page → host; received: host → page (as the page got it, after any hold). */
  way: 'sent' | 'received';
  message: EngineMessage;
}

export class EngineLine {
  readonly frames: EngineFrame[] = [];
  #holding: string | null = null;
  #held: { message: EngineMessage; text: string }[] = [];
  #toPage: ((text: string) => void) | null = null;

  /** Routes the page's host socket (call before page.goto). */
  static async route(page: Page): Promise<EngineLine> {
    const line = new EngineLine();
    await page.routeWebSocket(/\/ws\?token=/, (ws) => {
      const server = ws.connectToServer();
      line.#toPage = (text) => ws.send(text);
      ws.onMessage((data) => {
        const message = engineMessage(data);
        if (message) line.frames.push({ way: 'sent', message });
        server.send(data);
      });
      server.onMessage((data) => {
        const message = engineMessage(data);
        if (message && message.type === line.#holding) return void line.#held.push({ message, text: String(data) });
        line.#deliver(message, String(data));
      });
    });
    return line;
  }

  /** How many frames have crossed so far: a mark for `since`. */
  get mark(): number {
    return this.frames.length;
  }

  since(mark: number): EngineFrame[] {
    return this.frames.slice(mark);
  }

  /** Keeps the host's `type` messages from the page until release(). */
  hold(type: string): void {
    this.#holding = type;
  }

  /** Hands the held messages to the page in the order they came, and stops holding. */
  release(): void {
    this.#holding = null;
    for (const { message, text } of this.#held.splice(0)) this.#deliver(message, text);
  }

  #deliver(message: EngineMessage | null, text: string): void {
    if (message) this.frames.push({ way: 'received', message });
    this.#toPage!(text);
  }
}

/** The engine message a frame carries (common/web-protocol.ts: `{ kind: 'engine', message }`), else null. */
function engineMessage(data: string | Buffer): EngineMessage | null {
  const frame = JSON.parse(String(data)) as { kind?: string; message?: EngineMessage };
  return frame.kind === 'engine' && frame.message ? frame.message : null;
}

/**
 * What `npm run bench:ui` and e2e/ui-smooth.spec.ts measure inside the page, installed before the app's own
 * scripts (page.addInitScript): every long task (PerformanceObserver 'longtask', ≥ 50 ms), every frame gap (the
 * time between consecutive requestAnimationFrame callbacks), the long animation frames with the scripts Chromium
 * blames for them, and each tab switch from the click event to the first frame that shows the new tab's content.
 *
 * A switch ends when, in an animation frame, the clicked tab's panel is shown and its first child has a size
 * (layout done); the time taken is read after that frame has been painted (a message posted from the frame
 * arrives after the paint), so it includes style, layout and paint of the new panel.
 */
export interface TabSwitch {
  tab: string;
  ms: number;
}

export interface PageFigures {
  longTasks: { start: number; ms: number }[];
  frameGaps: number[];
  switches: TabSwitch[];
  /** Long animation frames (≥ 50 ms) with the scripts that ran in them, for finding where the time went. */
  longFrames: { start: number; ms: number; blocking: number; scripts: string[] }[];
  /** Each host message the page handled, by kind: what handling it cost on the main thread. */
  messages: Record<string, MessageCost>;
}

/**
 * What handling one kind of host message cost: its WebSocket handler, JSON.parse included, plus the microtasks it
 * queued (Svelte's effects run there, in the same task), up to the probe's own microtask queued after them.
 */
export interface MessageCost {
  count: number;
  totalMs: number;
  maxMs: number;
  /** The size of the costliest one, in characters. */
  maxChars: number;
}

/** The probe as the page holds it: `window.__uiBench`. */
export interface PageProbe {
  start(): void;
  stop(): PageFigures;
  /** Tab switches measured so far (each lands after its frame is painted). */
  switches(): number;
}

/** What `page.evaluate` runs to start and to stop measuring. */
export const START = 'window.__uiBench.start()';
export const STOP = 'window.__uiBench.stop()';
export const SWITCHES = 'window.__uiBench.switches()';

/**
 * The few browser APIs the probe uses. The scripts and e2e wing is type-checked for Node, without the DOM's
 * types, and one file's `/// <reference lib="dom" />` would give every Node file of it `window`.
 */
interface PerformanceEntryLike {
  startTime: number;
  duration: number;
}
interface LongFrameEntry extends PerformanceEntryLike {
  blockingDuration: number;
  scripts: { invoker: string; sourceFunctionName: string; sourceURL: string; duration: number }[];
}
interface ElementLike {
  hidden?: boolean;
  textContent: string | null;
  firstElementChild: ElementLike | null;
  closest?(selector: string): ElementLike | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { height: number };
}
interface MessageEventLike {
  data: unknown;
}
type MessageHandler = (this: unknown, event: MessageEventLike) => unknown;
interface BrowserGlobals {
  __uiBench: PageProbe;
  WebSocket?: { prototype: object };
  queueMicrotask(callback: () => void): void;
  PerformanceObserver: new (callback: (list: { getEntries(): PerformanceEntryLike[] }) => void) => { observe(options: { type: string }): void };
  requestAnimationFrame(callback: (now: number) => void): number;
  MessageChannel: new () => { port1: { onmessage: (() => void) | null }; port2: { postMessage(message: unknown): void } };
  performance: { now(): number };
  document: {
    getElementById(id: string): ElementLike | null;
    addEventListener(type: 'click', listener: (event: { target: ElementLike | null; timeStamp: number }) => void, capture: boolean): void;
  };
}

/** Runs in the page (serialised by Playwright): no closures over this module. */
export function installPageProbe(): void {
  const page = globalThis as unknown as BrowserGlobals;
  const { PerformanceObserver, MessageChannel, performance, document } = page;
  const requestAnimationFrame = page.requestAnimationFrame.bind(page);
  const figures: PageFigures = { longTasks: [], frameGaps: [], switches: [], longFrames: [], messages: {} };
  let measuring = false;
  const bench: PageProbe = {
    start() {
      figures.longTasks.length = 0;
      figures.frameGaps.length = 0;
      figures.switches.length = 0;
      figures.longFrames.length = 0;
      figures.messages = {};
      measuring = true;
    },
    stop() {
      measuring = false;
      return JSON.parse(JSON.stringify(figures)) as PageFigures;
    },
    switches: () => figures.switches.length,
  };
  page.__uiBench = bench;

  new PerformanceObserver((list) => {
    if (!measuring) return;
    for (const e of list.getEntries()) figures.longTasks.push({ start: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask' });
  try {
    new PerformanceObserver((list) => {
      if (!measuring) return;
      for (const e of list.getEntries() as LongFrameEntry[]) {
        figures.longFrames.push({
          start: e.startTime,
          ms: e.duration,
          blocking: e.blockingDuration,
          scripts: e.scripts.map((s) => `${Math.round(s.duration)} ms ${s.invoker} ${s.sourceFunctionName || '?'} ${(s.sourceURL || '').split('/').pop()}`),
        });
      }
    }).observe({ type: 'long-animation-frame' });
  } catch {
    // Long animation frames are Chromium 123+; without them only the attribution is missing.
  }

  // Host messages: the app sets `socket.onmessage`, so the setter wraps the handler it is given. The kind is the
  // frame's event name or engine message type, read from the frame's start (the server writes it first).
  const socketProto = page.WebSocket?.prototype;
  const onmessage = socketProto && Object.getOwnPropertyDescriptor(socketProto, 'onmessage');
  if (socketProto && onmessage?.set && onmessage.get) {
    const setHandler = onmessage.set;
    Object.defineProperty(socketProto, 'onmessage', {
      configurable: true,
      enumerable: onmessage.enumerable,
      get: onmessage.get,
      set(this: unknown, handler: MessageHandler | null) {
        if (typeof handler !== 'function') return setHandler.call(this, handler);
        const timed: MessageHandler = function (this: unknown, event) {
          if (!measuring) return handler.call(this, event);
          const started = performance.now();
          try {
            return handler.call(this, event);
          } finally {
            const text = typeof event.data === 'string' ? event.data : '';
            const head = text.slice(0, 200);
            const frame = /"kind":"([^"]+)"/.exec(head)?.[1] ?? '?';
            const kind = frame === 'engine' || frame === 'event' ? (/"(?:type|name)":"([^"]+)"/.exec(head)?.[1] ?? frame) : frame;
            page.queueMicrotask(() => {
              const ms = performance.now() - started;
              const cost = (figures.messages[kind] ??= { count: 0, totalMs: 0, maxMs: 0, maxChars: 0 });
              cost.count++;
              cost.totalMs += ms;
              if (ms > cost.maxMs) {
                cost.maxMs = ms;
                cost.maxChars = text.length;
              }
            });
          }
        };
        return setHandler.call(this, timed);
      },
    });
  }

  let last = -1;
  const tick = (now: number) => {
    if (measuring && last >= 0) figures.frameGaps.push(now - last);
    last = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);

  // Tab switches: the click's own timestamp, then the first painted frame with the panel's content laid out.
  document.addEventListener('click', (event) => {
    const tab = event.target?.closest?.('[role="tab"]');
    if (!measuring || !tab) return;
    const started = event.timeStamp;
    const panelId = tab.getAttribute('aria-controls');
    const name = tab.textContent?.trim() ?? '?';
    const check = () => {
      const panel = panelId ? document.getElementById(panelId) : null;
      const content = panel?.firstElementChild;
      if (panel && !panel.hidden && content && content.getBoundingClientRect().height > 0) {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => figures.switches.push({ tab: name, ms: performance.now() - started });
        channel.port2.postMessage(null);
      } else {
        requestAnimationFrame(check);
      }
    };
    requestAnimationFrame(check);
  }, true);
}

export interface Summary {
  longestTaskMs: number;
  longTasks: number;
  frames: number;
  frameGapP95Ms: number;
  frameGapMaxMs: number;
  switchMaxMs: number;
  switchMedianMs: number;
  switchesByTab: Record<string, number[]>;
}

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

export function summarise(f: PageFigures): Summary {
  const byTab: Record<string, number[]> = {};
  for (const s of f.switches) (byTab[s.tab] ??= []).push(Math.round(s.ms * 10) / 10);
  const switchTimes = f.switches.map((s) => s.ms);
  return {
    longestTaskMs: Math.max(0, ...f.longTasks.map((t) => t.ms)),
    longTasks: f.longTasks.length,
    frames: f.frameGaps.length,
    frameGapP95Ms: quantile(f.frameGaps, 0.95),
    frameGapMaxMs: Math.max(0, ...f.frameGaps),
    switchMaxMs: Math.max(0, ...switchTimes),
    switchMedianMs: quantile(switchTimes, 0.5),
    switchesByTab: byTab,
  };
}

/**
 * Which run controls apply in which state, and their keyboard shortcuts. Shortcuts use Alt so they never fight
 * typing in a field; the buttons announce them through aria-keyshortcuts.
 */
import type { RunState } from '../../../../common/training-protocol';

export type RunAction = 'start' | 'pause' | 'resume' | 'stop' | 'step-batch' | 'step-epoch';

export const SHORTCUTS: Record<RunAction, { key: string; aria: string }> = {
  start: { key: 't', aria: 'Alt+T' },
  pause: { key: 'p', aria: 'Alt+P' },
  resume: { key: 'r', aria: 'Alt+R' },
  stop: { key: 's', aria: 'Alt+S' },
  'step-batch': { key: 'b', aria: 'Alt+B' },
  'step-epoch': { key: 'e', aria: 'Alt+E' },
};

/** The run's state, or null when there is no run yet. */
export function enabledActions(state: RunState | null, engineReady: boolean): Set<RunAction> {
  const on = new Set<RunAction>();
  if (!engineReady) return on;
  if (state === null || !['loading', 'running', 'paused'].includes(state)) on.add('start');
  if (state === 'running') on.add('pause');
  if (state === 'paused') on.add('resume');
  if (state === 'loading' || state === 'running' || state === 'paused') on.add('stop');
  if (state === 'paused') {
    on.add('step-batch');
    on.add('step-epoch');
  }
  return on;
}

/** The action an Alt+key press asks for, or null. `code` is KeyboardEvent.code (Alt changes `key` on macOS). */
export function actionForKey(event: { altKey: boolean; ctrlKey: boolean; metaKey: boolean; code: string }): RunAction | null {
  if (!event.altKey || event.ctrlKey || event.metaKey) return null;
  const match = /^Key([A-Z])$/.exec(event.code);
  if (!match) return null;
  const key = match[1].toLowerCase();
  const found = (Object.keys(SHORTCUTS) as RunAction[]).find((a) => SHORTCUTS[a].key === key);
  return found ?? null;
}

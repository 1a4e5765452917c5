/**
 * Wiring from the keyboard, as a pure function the focused node calls on keydown: C starts a connection from the
 * focused node's output; walking to another node (arrows) and pressing Enter (or C again) connects it there, or
 * removes that edge when it already exists; Escape, or C on the node it started from, cancels.
 */
export type LinkStep =
  | { kind: 'start'; from: string }
  | { kind: 'finish'; from: string; to: string }
  | { kind: 'cancel'; from: string };

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

/** What a key on node `nodeId` does to a pending connection from `linkFrom` (null: none); null when it does nothing. */
export function linkStep(event: KeyLike, linkFrom: string | null, nodeId: string): LinkStep | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const c = event.key === 'c' || event.key === 'C';
  if (linkFrom === null) return c && !event.shiftKey ? { kind: 'start', from: nodeId } : null;
  if (event.key === 'Escape' || (c && linkFrom === nodeId)) return { kind: 'cancel', from: linkFrom };
  if (c || event.key === 'Enter' || event.key === ' ') return { kind: 'finish', from: linkFrom, to: nodeId };
  return null;
}

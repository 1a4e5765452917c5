/** The builder's keyboard shortcuts (Ctrl or ⌘). While typing in a field only the command palette key applies. */
export type Shortcut = 'undo' | 'redo' | 'copy' | 'paste' | 'delete' | 'selectAll' | 'commands';

export function shortcutFor(event: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey' | 'altKey'>, typing: boolean): Shortcut | null {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  if (mod && key === 'k') return 'commands';
  if (typing || event.altKey) return null;
  if (mod && key === 'z') return event.shiftKey ? 'redo' : 'undo';
  if (mod && key === 'y') return 'redo';
  if (mod && key === 'c') return 'copy';
  if (mod && key === 'v') return 'paste';
  if (mod && key === 'a') return 'selectAll';
  if (!mod && (key === 'delete' || key === 'backspace')) return 'delete';
  return null;
}

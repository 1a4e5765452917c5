/**
 * The workspace tabs, in order. WorkspaceTabs renders each one's feature component (features/builder,
 * features/training, features/predict, features/data, features/learn).
 */
export const TABS = [
  { id: 'build', label: 'tab.build' },
  { id: 'train', label: 'tab.train' },
  { id: 'runs', label: 'tab.runs' },
  { id: 'predict', label: 'tab.predict' },
  { id: 'data', label: 'tab.data' },
  { id: 'learn', label: 'tab.learn' },
] as const;

export type TabId = (typeof TABS)[number]['id'];

/** The tab a key press moves to, per the WAI-ARIA tabs pattern (arrows wrap; Home and End jump). */
export function tabAfterKey(current: number, key: string, count: number = TABS.length): number | null {
  switch (key) {
    case 'ArrowRight':
      return (current + 1) % count;
    case 'ArrowLeft':
      return (current - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

import { describe, expect, it } from 'vitest';
import { LABEL_GAP, LABEL_OFFSET, markerLabelRows, type LabelBox } from './marker-labels';

/** Whether any two labels in the same row overlap (with the gap between them). */
function overlaps(labels: readonly LabelBox[], rows: readonly number[]): boolean {
  return labels.some((a, i) => labels.some((b, j) => {
    if (i >= j || rows[i] !== rows[j]) return false;
    const [l, r] = a.x <= b.x ? [a, b] : [b, a];
    return l.x + LABEL_OFFSET + l.width + LABEL_GAP > r.x + LABEL_OFFSET;
  }));
}

describe('markerLabelRows', () => {
  it('keeps labels far apart on the top row and moves a close one down', () => {
    expect(markerLabelRows([{ x: 100, width: 40 }, { x: 120, width: 40 }, { x: 300, width: 40 }])).toEqual([0, 1, 0]);
  });

  it('reuses a row once the label there has ended', () => {
    // 'resumed' at 10, 'lr' at 30 (under it), 'restarted' at 60 (row 0 free again after 10+3+45+4).
    expect(markerLabelRows([{ x: 10, width: 45 }, { x: 30, width: 12 }, { x: 62, width: 50 }])).toEqual([0, 1, 0]);
  });

  it('places in x order, whatever order the markers come in', () => {
    expect(markerLabelRows([{ x: 120, width: 40 }, { x: 100, width: 40 }])).toEqual([1, 0]);
  });

  it('never overlaps labels in a row, for many markers crowded together', () => {
    const labels = Array.from({ length: 30 }, (_, i) => ({ x: (i * 37) % 200, width: 20 + (i % 4) * 15 }));
    const rows = markerLabelRows(labels);
    expect(overlaps(labels, rows)).toBe(false);
    expect(Math.max(...rows)).toBeLessThan(labels.length);
  });

  it('with a row limit, stacks the rest where the least overlap is rather than off the chart', () => {
    const rows = markerLabelRows([{ x: 0, width: 50 }, { x: 5, width: 50 }, { x: 10, width: 50 }], 2);
    expect(rows).toEqual([0, 1, 0]);
  });
});

/**
 * Where the run markers' labels go, so that none overlaps another: markers close together (a resume right after a
 * restart, lr changes a few batches apart) would print their labels over each other on one line. Each label sits
 * just right of its line, in the first row (from the top) where it clears every label already placed there.
 *
 *   markerLabelRows([{ x: 100, width: 40 }, { x: 120, width: 40 }, { x: 300, width: 40 }]) → [0, 1, 0]
 */
export interface LabelBox {
  /** The marker line's x, in pixels; the label starts `offset` to its right. */
  x: number;
  /** The label's width in pixels. */
  width: number;
}

/** Pixels between a line and its label, and the least space kept between two labels in a row. */
export const LABEL_OFFSET = 3;
export const LABEL_GAP = 4;

/** The row of each label, in the order given; labels are placed left to right so the result does not depend on it. */
export function markerLabelRows(labels: readonly LabelBox[], maxRows = Infinity): number[] {
  const order = labels.map((_, i) => i).sort((a, b) => labels[a].x - labels[b].x || a - b);
  const rowEnds: number[] = [];
  const rows = new Array<number>(labels.length);
  for (const i of order) {
    const start = labels[i].x + LABEL_OFFSET;
    let row = rowEnds.findIndex((end) => end + LABEL_GAP <= start);
    if (row === -1) row = rowEnds.length < maxRows ? rowEnds.length : lowestEnd(rowEnds);
    rowEnds[row] = start + labels[i].width;
    rows[i] = row;
  }
  return rows;
}

/** With every row taken: the row whose last label ends first (the least overlap there is). */
function lowestEnd(ends: readonly number[]): number {
  return ends.reduce((best, end, i) => (end < ends[best] ? i : best), 0);
}

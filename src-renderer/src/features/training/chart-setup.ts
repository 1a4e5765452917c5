/**
 * chart.js, registered once with only what the curves use (tree-shaken), plus a small plugin that draws the
 * run's markers (lr changes, resumes, restarts) as labelled vertical lines, each label on a backing of the
 * surface's colour and in a row where it overlaps no other (marker-labels.ts). Loaded by the chart worker only.
 */
import {
  Chart, Decimation, Filler, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement,
  ScatterController, Tooltip, type Plugin,
} from 'chart.js';
import { LABEL_OFFSET, markerLabelRows } from './marker-labels';

export interface MarkerLine {
  x: number;
  label: string;
  /** A divergence is drawn in the palette's `bad`, everything else in `muted`: the worker's palette decides. */
  tone: 'muted' | 'bad';
}

/** The marker plugin's options: the lines and the colours of the theme in force. */
export interface RunMarkersOptions {
  lines: MarkerLine[];
  colors: { muted: string; bad: string; surface: string };
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType> {
    runMarkers?: RunMarkersOptions;
  }
}

/** The labels' font: 11 px in the chart's own family (the bundled Korean face in Korean, chart-font.ts). */
const labelFont = () => `11px ${Chart.defaults.font.family}`;
const ROW_HEIGHT = 13;

const runMarkers: Plugin<'line'> = {
  id: 'runMarkers',
  afterDatasetsDraw(chart, _args, options: Partial<RunMarkersOptions>) {
    const { ctx, chartArea, scales } = chart;
    const x = scales.x;
    if (!x || !options.lines?.length || !options.colors) return;
    const { colors } = options;
    const shown = options.lines
      .map((line) => ({ line, px: x.getPixelForValue(line.x) }))
      .filter(({ px }) => px >= chartArea.left && px <= chartArea.right);
    ctx.save();
    ctx.font = labelFont();
    const widths = shown.map(({ line }) => ctx.measureText(line.label).width);
    const maxRows = Math.max(1, Math.floor((chartArea.bottom - chartArea.top) / ROW_HEIGHT / 2));
    const rows = markerLabelRows(shown.map(({ px }, i) => ({ x: px, width: widths[i] })), maxRows);
    ctx.setLineDash([4, 4]);
    for (const { line, px } of shown) {
      ctx.strokeStyle = colors[line.tone];
      ctx.beginPath();
      ctx.moveTo(px, chartArea.top);
      ctx.lineTo(px, chartArea.bottom);
      ctx.stroke();
    }
    // Labels after every line, so no line crosses a label.
    ctx.textBaseline = 'middle';
    shown.forEach(({ line, px }, i) => {
      const y = chartArea.top + ROW_HEIGHT * rows[i] + ROW_HEIGHT / 2;
      ctx.fillStyle = colors.surface;
      ctx.globalAlpha = 0.85;
      ctx.fillRect(px + LABEL_OFFSET - 1, y - ROW_HEIGHT / 2, widths[i] + 2, ROW_HEIGHT);
      ctx.globalAlpha = 1;
      ctx.fillStyle = colors[line.tone];
      ctx.fillText(line.label, px + LABEL_OFFSET, y);
    });
    ctx.restore();
  },
};

let registered = false;

export function registerChart(): void {
  if (registered) return;
  registered = true;
  Chart.register(
    LineController, ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, Filler, Tooltip,
    Legend, Decimation, runMarkers,
  );
}

export { Chart };

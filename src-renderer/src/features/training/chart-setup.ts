/**
 * chart.js, registered once with only what the curves use (tree-shaken), plus a small plugin that draws the
 * run's markers (lr changes, resumes, restarts) as labelled vertical lines. Loaded by the chart worker only.
 */
import {
  Chart, Decimation, Filler, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement,
  ScatterController, Tooltip, type Plugin,
} from 'chart.js';

export interface MarkerLine {
  x: number;
  label: string;
  color: string;
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType> {
    runMarkers?: { lines: MarkerLine[] };
  }
}

const runMarkers: Plugin<'line'> = {
  id: 'runMarkers',
  afterDatasetsDraw(chart, _args, options: { lines?: MarkerLine[] }) {
    const { ctx, chartArea, scales } = chart;
    const x = scales.x;
    if (!x || !options.lines?.length) return;
    ctx.save();
    ctx.setLineDash([4, 4]);
    ctx.font = '11px system-ui, sans-serif';
    for (const line of options.lines) {
      const px = x.getPixelForValue(line.x);
      if (px < chartArea.left || px > chartArea.right) continue;
      ctx.strokeStyle = line.color;
      ctx.fillStyle = line.color;
      ctx.beginPath();
      ctx.moveTo(px, chartArea.top);
      ctx.lineTo(px, chartArea.bottom);
      ctx.stroke();
      ctx.fillText(line.label, px + 3, chartArea.top + 10);
    }
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

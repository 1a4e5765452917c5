/**
 * The chart worker: one chart.js line chart on an OffscreenCanvas, redrawn at most once per animation frame from
 * the latest data message (messages that arrive within one frame are merged). It answers `drawn` with the point
 * counts it holds and the legend's colour, and `png` with the canvas as a PNG blob. A `palette` message
 * re-colours the chart in place (the theme changed): colours come from chart-theme.ts, the one place they are set.
 *
 * A redraw costs the same however long the run (#15.4): batch points arrive as deltas and are appended, and the
 * per-batch lines grow with them, decimated to a bounded number of points (BatchLines, decimate.ts), instead of
 * being rebuilt from every batch of the run each frame.
 */
import { BatchLines, curveSeries, type Metric } from './chart-data';
import type { FromChartWorker, ToChartWorker } from './chart-messages';
import { Chart, registerChart } from './chart-setup';
import { chartColors } from './chart-theme';
import type { Palette } from './palette';
import type { BatchPoint } from './curves';

type Data = Extract<ToChartWorker, { type: 'data' }>;

let chart: Chart<'line'> | null = null;
let canvas: OffscreenCanvas | null = null;
let metric: Metric = 'loss';
let batches: BatchPoint[] = [];
let lines = new BatchLines('loss');
let latest: Data | null = null;
let scheduled = false;
let colors: ReturnType<typeof chartColors> | null = null;

const post = (message: FromChartWorker) => (self as unknown as Worker).postMessage(message);

function create(init: Extract<ToChartWorker, { type: 'init' }>): void {
  registerChart();
  canvas = init.canvas;
  metric = init.metric;
  lines = new BatchLines(metric);
  const { labels } = init;
  chart = new Chart(canvas as unknown as HTMLCanvasElement, {
    type: 'line',
    data: {
      datasets: [
        { label: labels.trainBatch, data: [], borderWidth: 1, pointRadius: 0 },
        { label: labels.trainSmooth, data: [], borderWidth: 2, pointRadius: 0 },
        { label: labels.trainEpoch, data: [], pointRadius: 4, borderWidth: 0, showLine: false },
        { label: labels.valEpoch, data: [], pointRadius: 4, borderWidth: 2 },
        { label: labels.best, data: [], pointStyle: 'star', pointRadius: 9, showLine: false },
        { label: labels.overlayTrain, data: [], borderDash: [6, 4], pointRadius: 2, borderWidth: 1.5 },
        { label: labels.overlayVal, data: [], borderDash: [2, 3], pointRadius: 2, borderWidth: 1.5 },
      ],
    },
    options: {
      animation: false,
      responsive: false,
      devicePixelRatio: init.dpr,
      parsing: false,
      normalized: true,
      events: [],
      scales: {
        x: { type: 'linear', min: 0, title: { display: true, text: labels.epochs } },
        y: { type: 'linear', title: { display: true, text: labels.title } },
      },
      plugins: {
        legend: { labels: { boxWidth: 12, filter: (item, data) => (data.datasets[item.datasetIndex!]?.data.length ?? 0) > 0 } },
        tooltip: { enabled: false },
        decimation: { enabled: true, algorithm: 'min-max' },
      },
    },
  });
  recolour(init.palette);
  resize(init.width, init.height);
}

/** Puts the theme's colours on every dataset, axis, grid, legend and marker. */
function recolour(palette: Palette): void {
  if (!chart) return;
  colors = chartColors(palette, metric);
  chart.data.datasets.forEach((set, i) => Object.assign(set, colors!.datasets[i]));
  for (const axis of ['x', 'y'] as const) {
    const scale = chart.options.scales![axis]!;
    scale.ticks = { ...scale.ticks, color: colors.ticks };
    scale.grid = { ...scale.grid, color: colors.grid };
    scale.border = { ...scale.border, color: colors.grid };
    (scale as { title: { color?: string } }).title.color = colors.ticks;
  }
  chart.options.plugins!.legend!.labels!.color = colors.legend;
  chart.options.plugins!.runMarkers = { lines: chart.options.plugins!.runMarkers?.lines ?? [], colors: colors.markers };
}

function resize(width: number, height: number): void {
  if (!chart || !canvas || width <= 0 || height <= 0) return;
  chart.resize(width, height);
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(draw);
}

function draw(): void {
  scheduled = false;
  const data = latest;
  if (!chart || !data) return;
  latest = null;
  const log = data.logScale && metric === 'loss';
  const { raw, smooth } = lines.update(batches, data.smoothing, log);
  // The epoch series are a point per epoch: cheap to rebuild from the whole run.
  const series = curveSeries({ ...data.rest, batches: [] }, metric, data.smoothing, data.overlay, log);
  const sets = chart.data.datasets;
  [raw, smooth, series.trainEpoch, series.valEpoch, series.best, series.overlayTrain, series.overlayVal]
    .forEach((points, i) => (sets[i].data = points));
  sets[0].hidden = data.smoothing === 0;
  chart.options.scales!.y!.type = log ? 'logarithmic' : 'linear';
  chart.options.plugins!.runMarkers = { lines: data.markers, colors: colors!.markers };
  chart.update('none');
  post({ type: 'drawn', batches: batches.length, epochs: series.trainEpoch.length, legend: colors!.legend });
}

self.onmessage = async (event: MessageEvent<ToChartWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      create(message);
      return;
    case 'palette':
      recolour(message.palette);
      // Redraw with the data it has (a theme change brings no new data).
      if (chart) {
        chart.update('none');
        post({ type: 'drawn', batches: batches.length, epochs: chart.data.datasets[2].data.length, legend: colors!.legend });
      }
      return;
    case 'resize':
      if (chart) chart.options.devicePixelRatio = message.dpr;
      resize(message.width, message.height);
      return;
    case 'data':
      if (message.from < batches.length) {
        // Replaced, not extended (a new run): start the lines over.
        batches = batches.slice(0, message.from);
        lines.reset();
      }
      for (const point of message.batches) batches.push(point);
      latest = message;
      schedule();
      return;
    case 'png': {
      const blob = canvas ? await canvas.convertToBlob({ type: 'image/png' }) : null;
      post({ type: 'png', id: message.id, blob });
      return;
    }
  }
};

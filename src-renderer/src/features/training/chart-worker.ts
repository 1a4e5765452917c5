/**
 * The chart worker: one chart.js line chart on an OffscreenCanvas, redrawn at most once per animation frame from
 * the latest data message (messages that arrive within one frame are merged). It answers `drawn` with the point
 * counts it really shows, and `png` with the canvas as a PNG blob.
 */
import { curveSeries, type Metric } from './chart-data';
import type { FromChartWorker, ToChartWorker } from './chart-messages';
import { Chart, registerChart } from './chart-setup';
import type { BatchPoint, Curves } from './curves';

type Data = Extract<ToChartWorker, { type: 'data' }>;

let chart: Chart<'line'> | null = null;
let canvas: OffscreenCanvas | null = null;
let metric: Metric = 'loss';
let batches: BatchPoint[] = [];
let latest: Data | null = null;
let scheduled = false;

const post = (message: FromChartWorker) => (self as unknown as Worker).postMessage(message);

function create(init: Extract<ToChartWorker, { type: 'init' }>): void {
  registerChart();
  canvas = init.canvas;
  metric = init.metric;
  const { palette: c, labels } = init;
  const faint = (color: string) => `color-mix(in srgb, ${color} 30%, transparent)`;
  chart = new Chart(canvas as unknown as HTMLCanvasElement, {
    type: 'line',
    data: {
      datasets: [
        { label: labels.trainBatch, data: [], borderColor: faint(c.accent), borderWidth: 1, pointRadius: 0 },
        { label: labels.trainSmooth, data: [], borderColor: c.accent, borderWidth: 2, pointRadius: 0 },
        { label: labels.trainEpoch, data: [], borderColor: c.accent, backgroundColor: c.accent, pointRadius: 4, borderWidth: 0, showLine: false },
        {
          label: labels.valEpoch, data: [], borderColor: c.accent2, backgroundColor: c.accent2, pointRadius: 4, borderWidth: 2,
          fill: metric === 'loss' ? { target: 2, above: faint(c.bad), below: 'transparent' } : false,
        },
        { label: labels.best, data: [], borderColor: c.warn, backgroundColor: c.warn, pointStyle: 'star', pointRadius: 9, showLine: false },
        { label: labels.overlayTrain, data: [], borderColor: c.muted, borderDash: [6, 4], pointRadius: 2, borderWidth: 1.5 },
        { label: labels.overlayVal, data: [], borderColor: c.muted, borderDash: [2, 3], pointRadius: 2, borderWidth: 1.5 },
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
        x: { type: 'linear', min: 0, title: { display: true, text: labels.epochs, color: c.muted }, ticks: { color: c.muted }, grid: { color: c.border } },
        y: { type: 'linear', title: { display: true, text: labels.title, color: c.muted }, ticks: { color: c.muted }, grid: { color: c.border } },
      },
      plugins: {
        legend: { labels: { color: c.text, boxWidth: 12, filter: (item, data) => (data.datasets[item.datasetIndex!]?.data.length ?? 0) > 0 } },
        tooltip: { enabled: false },
        decimation: { enabled: true, algorithm: 'min-max' },
        runMarkers: { lines: [] },
      },
    },
  });
  resize(init.width, init.height);
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
  const curves: Curves = { ...data.rest, batches };
  const log = data.logScale && metric === 'loss';
  const series = curveSeries(curves, metric, data.smoothing, data.overlay, log);
  const sets = chart.data.datasets;
  [series.batchRaw, series.batchSmooth, series.trainEpoch, series.valEpoch, series.best, series.overlayTrain, series.overlayVal]
    .forEach((points, i) => (sets[i].data = points));
  sets[0].hidden = data.smoothing === 0;
  chart.options.scales!.y!.type = log ? 'logarithmic' : 'linear';
  chart.options.plugins!.runMarkers = { lines: data.markers };
  chart.update('none');
  post({ type: 'drawn', batches: series.batchRaw.length, epochs: series.trainEpoch.length });
}

self.onmessage = async (event: MessageEvent<ToChartWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      create(message);
      return;
    case 'resize':
      if (chart) chart.options.devicePixelRatio = message.dpr;
      resize(message.width, message.height);
      return;
    case 'data':
      batches = message.from === 0 ? message.batches : batches.slice(0, message.from).concat(message.batches);
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

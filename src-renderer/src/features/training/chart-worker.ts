/**
 * The chart worker: one chart.js line chart on an OffscreenCanvas, redrawn at most once per animation frame from
 * the latest data message (messages that arrive within one frame are merged). It answers `drawn` with the point
 * counts it holds and the legend's colour, and `png` with the canvas as a PNG blob. A `palette` message
 * re-colours the chart in place (the theme changed): colours come from chart-theme.ts, the one place they are set.
 *
 * A redraw costs the same however long the run (#15.4): batch points arrive as deltas and are appended, and the
 * per-batch lines grow with them, decimated to a bounded number of points (BatchLines, decimate.ts), instead of
 * being rebuilt from every batch of the run each frame. The lr chart keeps the range of the lrs it holds as they
 * arrive, to choose its y axis (`lrLogScale`).
 *
 * Text is drawn in the family the page sends (chart-font.ts: the bundled Noto Sans KR in Korean). This worker's own
 * FontFaceSet gets the bundled faces, and no text is drawn before the faces it needs are loaded: the chart is made
 * once its labels' faces are in, and a frame with new text (a marker's label) waits for that text's faces. Waiting
 * matters: text a worker's canvas drew in a fallback face stays in it after the face loads (Chromium keeps the
 * canvas's resolved font), so "draw now, redraw once loaded" left Hangul as boxes. `drawn` says whether the text
 * drew in loaded faces.
 */
import { toFont } from 'chart.js/helpers';
import { CHART_JS_FAMILY } from '../../lib/fonts/chart-font';
import { addBundledFaces, fontReady, fontsLoaded, loadedBundledFaces } from '../../lib/fonts/font-faces';
import { BatchLines, curveSeries, emptyLrRange, lrLogScale, widenLrRange, type Metric } from './chart-data';
import type { FromChartWorker, ToChartWorker } from './chart-messages';
import { Chart, registerChart, type MarkerLine } from './chart-setup';
import { chartColors } from './chart-theme';
import type { Palette } from './palette';
import type { BatchPoint } from './curves';

type Data = Extract<ToChartWorker, { type: 'data' }>;
type Init = Extract<ToChartWorker, { type: 'init' }>;

let chart: Chart<'line'> | null = null;
let canvas: OffscreenCanvas | null = null;
let metric: Metric = 'loss';
let batches: BatchPoint[] = [];
let lines = new BatchLines('loss');
/** The lrs of `batches` (lr chart only). */
let lrRange = emptyLrRange();
let latest: Data | null = null;
let scheduled = false;
let colors: ReturnType<typeof chartColors> | null = null;
/** The chart's labels, whose faces must be loaded before anything is drawn. */
let text = '';
/** Texts whose faces were asked for (each once: a file that fails to load does not stop the drawing), and whether a load is under way. */
const asked = new Set<string>();
let loading = false;
/** The init message, until the chart is made from it (resize and palette messages meanwhile update it). */
let pending: Init | null = null;

/** The worker's own FontFaceSet (lib.dom types the page's, which is the same interface). */
const fonts = (self as unknown as { fonts: FontFaceSet }).fonts;

const post = (message: FromChartWorker) => (self as unknown as Worker).postMessage(message);

/** Loads the faces the labels need, then makes the chart: chart.js draws as it is made. */
function start(init: Init): void {
  registerChart();
  // One chart per worker, so chart.js's default is this chart's font: axis titles, ticks, legend and markers.
  Chart.defaults.font.family = init.font.family;
  addBundledFaces(fonts, init.font.faces);
  text = Object.values(init.labels).join(' ');
  asked.add(text);
  pending = init;
  void Promise.resolve(fontReady(fonts, init.font.family, text)).then(create);
}

function create(): void {
  const init = pending;
  if (!init) return;
  pending = null;
  canvas = init.canvas;
  metric = init.metric;
  lines = new BatchLines(metric);
  const { labels } = init;
  chart = new Chart(canvas as unknown as HTMLCanvasElement, {
    type: 'line',
    data: {
      datasets: [
        // The lr's batch line is its main line, drawn as strongly as a smoothed one.
        { label: labels.trainBatch, data: [], borderWidth: metric === 'lr' ? 2 : 1, pointRadius: 0 },
        { label: labels.trainSmooth, data: [], borderWidth: 2, pointRadius: 0 },
        // An epoch's lr holds over the whole epoch (its point sits at the epoch's end): drawn as a step that rises or
        // falls at the previous point (chart.js 'after'), the schedule of a run opened from disk, which keeps only its
        // epochs, still reads as one.
        metric === 'lr'
          ? { label: labels.trainEpoch, data: [], pointRadius: 4, borderWidth: 1, stepped: 'after' as const }
          : { label: labels.trainEpoch, data: [], pointRadius: 4, borderWidth: 0, showLine: false },
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
        y: {
          type: 'linear', title: { display: true, text: labels.title },
          // chart.js writes a log axis's ticks to its largest tick's decimals (0.5000, 0.0005): an lr reads as written.
          ...(metric === 'lr' ? { ticks: { callback: (value: number | string) => String(Number(Number(value).toPrecision(3))) } } : {}),
        },
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
  if (latest) schedule();
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
  // New text (a marker's label) waits for its faces, once; the frame is drawn when they are in.
  if (loading) return;
  const needed = neededText(data.markers);
  if (!asked.has(needed) && !fontsLoaded(fonts, Chart.defaults.font.family!, needed)) {
    asked.add(needed);
    loading = true;
    void Promise.resolve(fontReady(fonts, Chart.defaults.font.family!, needed)).then(() => {
      loading = false;
      schedule();
    });
    return;
  }
  latest = null;
  let log = data.logScale && metric === 'loss';
  if (metric === 'lr') {
    // The epoch lrs (a point per epoch, the other run's too) join the batches' range: cheap, and a run opened from
    // disk has only those. A log axis is chosen only when every lr is positive, so no line drops a point for it.
    const range = { ...lrRange };
    for (const e of data.rest.epochs) widenLrRange(range, e.lr);
    for (const e of data.overlay?.epochs ?? []) widenLrRange(range, e.lr);
    log = lrLogScale(range);
  }
  const { raw, smooth } = lines.update(batches, data.smoothing, log && metric === 'loss');
  // The epoch series are a point per epoch: cheap to rebuild from the whole run.
  const series = curveSeries({ ...data.rest, batches: [] }, metric, data.smoothing, data.overlay, log);
  const sets = chart.data.datasets;
  [raw, smooth, series.trainEpoch, series.valEpoch, series.best, series.overlayTrain, series.overlayVal]
    .forEach((points, i) => (sets[i].data = points));
  // The lr line is never smoothed, so it is its only per-batch line.
  sets[0].hidden = metric !== 'lr' && data.smoothing === 0;
  chart.options.scales!.y!.type = log ? 'logarithmic' : 'linear';
  chart.options.plugins!.runMarkers = { lines: data.markers, colors: colors!.markers };
  chart.update('none');
  drawn();
}

/** The text a frame draws besides numbers: the labels and the markers' labels. */
const neededText = (markers: readonly Partial<MarkerLine>[]) => [text, ...markers.map((line) => line.label ?? '')].join(' ');

/**
 * Whether this canvas really draws `word` in another face than chart.js's own stack: its width differs then. Faces
 * loaded in the set are not enough (a canvas can keep the fallback it resolved first), so a test reads this too.
 */
function drawsApart(): boolean {
  const { ctx, scales } = chart!;
  // The x axis is a linear scale (made above), whose resolved options hold its title.
  const title = (scales.x.options as unknown as { title: { font: Parameters<typeof toFont>[0]; text: string } }).title;
  // The very font string chart.js drew the title with, and the same in chart.js's own stack.
  const font = toFont(title.font);
  ctx.save();
  ctx.font = font.string;
  const ours = ctx.measureText(String(title.text)).width;
  ctx.font = toFont({ ...font, family: CHART_JS_FAMILY }).string;
  const theirs = ctx.measureText(String(title.text)).width;
  ctx.restore();
  return ours !== theirs;
}

/** Tells the page what is drawn, and whether every face its text needs was loaded. */
function drawn(): void {
  if (!chart) return;
  const needed = neededText(chart.options.plugins!.runMarkers?.lines ?? []);
  const family = Chart.defaults.font.family!;
  const [batchLine, , epochPoints] = chart.data.datasets as { data: { y: number }[] }[];
  const lastPoint = batchLine.data.at(-1) ?? epochPoints.data.at(-1);
  post({
    type: 'drawn', batches: batches.length, epochs: chart.data.datasets[2].data.length, legend: colors!.legend,
    last: lastPoint?.y ?? null, scale: chart.options.scales!.y!.type === 'logarithmic' ? 'logarithmic' : 'linear',
    font: { family, ready: fontsLoaded(fonts, family, needed), bundledFacesLoaded: loadedBundledFaces(fonts), titleApart: drawsApart() },
  });
}

self.onmessage = async (event: MessageEvent<ToChartWorker>) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      start(message);
      return;
    case 'palette':
      if (pending) pending.palette = message.palette;
      recolour(message.palette);
      // Redraw with the data it has (a theme change brings no new data).
      if (chart) {
        chart.update('none');
        drawn();
      }
      return;
    case 'resize':
      if (pending) Object.assign(pending, { width: message.width, height: message.height, dpr: message.dpr });
      if (chart) chart.options.devicePixelRatio = message.dpr;
      resize(message.width, message.height);
      return;
    case 'data':
      if (message.from < batches.length) {
        // Replaced, not extended (a new run): start the lines over.
        batches = batches.slice(0, message.from);
        lines.reset();
        lrRange = emptyLrRange();
        for (const point of batches) widenLrRange(lrRange, point.lr);
      }
      for (const point of message.batches) {
        batches.push(point);
        widenLrRange(lrRange, point.lr);
      }
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

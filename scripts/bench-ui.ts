/**
 * `npm run bench:ui [-- --busy [N]] [--seconds S] [--engine-nice N] [--json]`: how smooth the renderer stays while
 * LeNet-5 trains (#15.4). It starts the built browser host with a temporary data folder (MNIST fetched from
 * ../shared/data over a loopback mirror, hashes checked, as the e2e tests do), opens it in Chromium, builds LeNet-5
 * from the presets, trains it on MNIST through the Train tab, and for S seconds of training (default 30) clicks
 * through the tabs, about one switch a second. It prints, measured in the page (scripts/bench-ui-page.ts):
 *   - the longest task (PerformanceObserver 'longtask': only tasks of 50 ms or more are reported, so "none" means
 *     every task was shorter), and the scripts Chromium blames for any long animation frame;
 *   - the frame gaps (requestAnimationFrame deltas): p95 and max;
 *   - each tab switch, from the click event to the first painted frame with the new tab's content;
 *   - the training speed the Train tab showed, and the machine's load average before and after.
 *
 * It also prints the host messages that cost the page most to handle, by kind (scripts/bench-ui-page.ts).
 *
 * --trace also records a Chromium trace of the window and prints the longest task's wall and CPU time (on a
 * loaded machine a task waits for a core mid-way: its CPU time is the page's own share). --profile adds V8's
 * stack samples to the trace and prints the functions the costliest tasks spent their time in. --trace-file F
 * writes the trace to F as well (DevTools' Performance panel opens it).
 * --busy [N] keeps the CPU busy for the measurement with N spinning processes (default 2 per core), each ending
 * on its own after the window even if this script is killed. --engine-nice N starts the engine host at that
 * priority instead of its own choice (src-main/engine-host/priority.ts), to measure what the choice costs.
 * A log, not a test: e2e/ui-smooth.spec.ts keeps a generous guard.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { prepareMnist, startMirror } from '../e2e/support/mnist-data';
import { EngineHeader } from '../e2e/support/engine-header';
import { hotFunctions, longestMainThreadTask, traceCategories, type HotFunction, type LongestTask } from '../e2e/support/main-thread-trace';
import { TrainTab } from '../e2e/support/train-predict-pages';
import { ROOT, startHost, stopHost } from '../e2e/support/web-host';
import { installPageProbe, START, STOP, summarise, type PageFigures, type Summary } from './bench-ui-page';

interface Options {
  busy: number;
  seconds: number;
  engineNice: number | null;
  json: boolean;
  switchMs: number;
  trace: boolean;
  profile: boolean;
  traceFile: string | null;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { busy: 0, seconds: 30, engineNice: null, json: false, switchMs: 1000, trace: false, profile: false, traceFile: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      const value = Number(argv[++i]);
      if (!Number.isFinite(value)) throw new Error(`${arg} takes a number`);
      return value;
    };
    if (arg === '--busy') options.busy = /^\d+$/.test(argv[i + 1] ?? '') ? next() : 2 * availableParallelism();
    else if (arg === '--seconds') options.seconds = next();
    else if (arg === '--engine-nice') options.engineNice = next();
    else if (arg === '--switch-ms') options.switchMs = next();
    else if (arg === '--json') options.json = true;
    else if (arg === '--trace') options.trace = true;
    else if (arg === '--profile') options.trace = options.profile = true;
    else if (arg === '--trace-file') {
      options.trace = true;
      options.traceFile = argv[++i] ?? '';
      if (!options.traceFile) throw new Error('--trace-file takes a path');
    }
    else if (arg === '--help' || arg === '-h') {
      console.log('npm run bench:ui -- [--busy [N]] [--seconds S] [--engine-nice N] [--switch-ms MS] [--trace] [--profile] [--trace-file F] [--json]');
      process.exit(0);
    } else throw new Error(`unknown option ${arg} (see --help)`);
  }
  return options;
}

/** N processes that spin for `ms`, then end by themselves: a bounded load that outlives nothing. */
function startLoad(n: number, ms: number): ChildProcess[] {
  const code = `const end = Date.now() + ${Math.round(ms)}; let x = 0; while (Date.now() < end) x++;`;
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', code], { stdio: 'ignore' }));
}

/**
 * What the measuring window asks of the page, as plain CSS: Playwright's role and label selectors run its own
 * script over the page's whole DOM in the page's main thread (20-30 ms of CPU a query on the Train tab), which the
 * long-task observer and the trace would count as the app's.
 */
const SPEED = '#panel-train [aria-label="Speed"]';
const EPOCH_PROGRESS = '#panel-train progress[aria-label="Epoch progress"]';
const SPLIT = '#panel-train [aria-label="Split"]';

/**
 * How far the run is, in images: the Train tab's epoch progress (finished epochs plus the current one's fraction)
 * times the images an epoch trains. Read by id, since the panel is hidden while another tab shows.
 */
async function samplesDone(page: Page): Promise<number> {
  const epochs = await page.locator(EPOCH_PROGRESS).evaluate((el) => (el as unknown as { value: number }).value);
  const perEpoch = Number(await page.locator(SPLIT).getAttribute('data-train'));
  return epochs * perEpoch;
}

async function measure(page: Page, options: Options): Promise<{ figures: PageFigures; speeds: number[]; samplesPerSecond: number }> {
  // The Train panel is hidden while another tab shows, so it is found by id rather than by role.
  const speedLabel = page.locator(SPEED);
  const speeds: number[] = [];
  const tabs = await page.locator('[role="tab"]').evaluateAll((els) => els.map((el) => el.id));
  await page.evaluate(START);
  const started = Date.now();
  const samplesBefore = await samplesDone(page);
  const end = started + options.seconds * 1000;
  for (let i = 0; Date.now() < end; i++) {
    // From the Train tab on to the next, so that every tab, Train included, is switched to in turn.
    await page.locator(`#${tabs[(i + 2) % tabs.length]}`).click();
    await page.waitForTimeout(options.switchMs);
    const speed = Number((await speedLabel.textContent())?.replace(/[^\d]/g, ''));
    if (speed > 0) speeds.push(speed);
  }
  const figures = await page.evaluate<PageFigures>(STOP);
  const samplesPerSecond = ((await samplesDone(page)) - samplesBefore) / ((Date.now() - started) / 1000);
  return { figures, speeds, samplesPerSecond };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  // The build's own output goes to stderr, so that --json leaves stdout one JSON document.
  const build = spawnSync(process.execPath, ['--input-type=module', '-e', "(await import('./scripts/ensure-build.mjs')).ensureBuild();"], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (build.status !== 0) throw new Error('the build failed (above)');
  const dataDir = mkdtempSync(join(tmpdir(), 'layerlab-bench-ui-'));
  const mirror = await startMirror();
  let load: ChildProcess[] = [];
  const log = (line: string) => (options.json ? console.error(line) : console.log(line));
  try {
    log('preparing MNIST in a temporary data folder…');
    await prepareMnist(ROOT, dataDir, mirror);
    const env: Record<string, string> = { LAYERLAB_MIRRORS: `mnist=${mirror.url}` };
    if (options.engineNice !== null) env.LAYERLAB_ENGINE_NICE = String(options.engineNice);
    const host = await startHost(dataDir, env);
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      // tsx keeps function names with a helper the page does not have.
      await page.addInitScript('globalThis.__name ??= (f) => f;');
      await page.addInitScript(installPageProbe);
      await page.goto(`${host.url}&lang=en`);
      await new EngineHeader(page).expectState('Ready');
      const train = new TrainTab(page);
      await train.open();
      await train.choose('LeNet-5', 'mnist', 5, 10_000);
      await train.train.click();
      log('training LeNet-5; waiting for the first batches…');
      const started = Date.now();
      while ((await train.batchPoints()) === 0) {
        if (Date.now() - started > 180_000) throw new Error('no batch reached the chart within 3 minutes');
        await page.waitForTimeout(250);
      }
      const before = loadavg();
      if (options.busy > 0) {
        log(`starting ${options.busy} spinning processes for ${options.seconds} s…`);
        load = startLoad(options.busy, (options.seconds + 5) * 1000);
        await page.waitForTimeout(1000);
      }
      log(`measuring for ${options.seconds} s, switching tabs every ${options.switchMs} ms…`);
      if (options.trace) await browser.startTracing(page, { categories: traceCategories(options.profile) });
      const { figures, speeds, samplesPerSecond } = await measure(page, options);
      const recorded = options.trace ? await browser.stopTracing() : null;
      if (recorded && options.traceFile) writeFileSync(options.traceFile, recorded);
      const trace = recorded ? longestMainThreadTask(recorded) : null;
      const profile = recorded && options.profile ? hotFunctions(recorded) : null;
      const after = loadavg();
      await train.open();
      const step = await train.batchPoints();
      await train.stop.click().catch(() => undefined);
      report(options, summarise(figures), figures, { speeds, samplesPerSecond, before, after, step, trace, profile });
    } finally {
      await browser.close();
      await stopHost(host);
    }
  } finally {
    for (const child of load) child.kill();
    await mirror.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Context {
  speeds: number[];
  /** Images trained per second of the window, from the run's progress. */
  samplesPerSecond: number;
  before: number[];
  after: number[];
  step: number;
  trace: LongestTask | null;
  profile: { tasks: { wallMs: number; cpuMs: number }[]; functions: HotFunction[] } | null;
}

function report(options: Options, s: Summary, figures: PageFigures, c: Context): void {
  const speed = c.speeds.length ? [...c.speeds].sort((a, b) => a - b)[c.speeds.length >> 1] : null;
  const result = {
    busy: options.busy,
    seconds: options.seconds,
    engineNice: options.engineNice,
    cores: availableParallelism(),
    loadBefore: c.before.map((l) => +l.toFixed(2)),
    loadAfter: c.after.map((l) => +l.toFixed(2)),
    ...s,
    trainingSamplesPerSecond: Math.round(c.samplesPerSecond),
    speedShown: speed,
    batchesTrained: c.step,
    trace: c.trace,
    longFrames: figures.longFrames,
    messages: figures.messages,
    profile: c.profile,
  };
  if (options.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  console.log([
    `bench:ui: LeNet-5 training on MNIST in the browser host, ${options.seconds} s, ${result.cores} cores` +
      (options.busy ? `, ${options.busy} spinning processes` : '') +
      (options.engineNice !== null ? `, engine at nice ${options.engineNice}` : ''),
    `load average before ${result.loadBefore.join(' ')}, after ${result.loadAfter.join(' ')}`,
    `longest task: ${s.longTasks ? `${ms(s.longestTaskMs)} (${s.longTasks} tasks ≥ 50 ms)` : 'none ≥ 50 ms'}`,
    ...(c.trace ? [`trace: longest task ${ms(c.trace.wallMs)} wall / ${ms(c.trace.cpuMs)} CPU; most CPU in one task ${ms(c.trace.maxCpuMs)} (${c.trace.tasks} tasks)`] : []),
    `frame gaps: p95 ${ms(s.frameGapP95Ms)}, max ${ms(s.frameGapMaxMs)} over ${s.frames} frames`,
    `tab switches (click → first painted frame): median ${ms(s.switchMedianMs)}, max ${ms(s.switchMaxMs)}`,
    ...Object.entries(s.switchesByTab).map(([tab, times]) => `  ${tab.padEnd(8)} ${times.map((t) => t.toFixed(1)).join(', ')}`),
    `training: ${Math.round(c.samplesPerSecond)} samples/s over the window (the Train tab's Speed showed a median of ${speed ?? '?'}), ${c.step} batches by the end`,
    ...figures.longFrames.slice(0, 8).map((f) => `long frame ${ms(f.ms)} (blocking ${ms(f.blocking)}): ${f.scripts.join('; ') || 'no script'}`),
    'costliest host messages (handler and its microtasks, by kind): max, mean, count, size of the max',
    ...Object.entries(figures.messages)
      .sort(([, a], [, b]) => b.maxMs - a.maxMs)
      .slice(0, 6)
      .map(([kind, m]) => `  ${kind.padEnd(18)} max ${ms(m.maxMs)}, mean ${ms(m.totalMs / m.count)}, ${m.count}×, ${m.maxChars} chars`),
    ...(c.profile
      ? [
          `profile of the ${c.profile.tasks.length} costliest tasks (${c.profile.tasks.map((t) => `${ms(t.cpuMs)} CPU`).join(', ')}): function, time on the stack / running its own code`,
          ...c.profile.functions.map((f) => `  ${ms(f.totalMs).padStart(9)} / ${ms(f.selfMs).padStart(9)}  ${f.name}`),
        ]
      : []),
  ].join('\n'));
}

main().catch((error) => {
  console.error(`bench:ui: ${error instanceof Error ? error.stack : error}`);
  process.exit(1);
});

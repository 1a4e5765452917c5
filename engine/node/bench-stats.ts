/**
 * `npm run bench -- --stats`: what the Train tab's layer statistics (#16.3, engine/inspect) cost a training run.
 *
 * The engine host samples one batch in N: 50 on the CPU, 500 on a device backend, or more where a sample costs
 * over 1% of N steps (SampleSchedule, engine/inspect). This runs that schedule on the preset, then two figures:
 * - amortised: the probe's own work on a sampled step (its hooks, the reads, the histograms, the weight copies and
 *   diagnose), timed around those calls, over N median steps without it, in this process's CPU time (steady on a
 *   loaded machine) and in wall time. The probe's code is warmed up first: a run takes hundreds of samples, and
 *   only its first few run cold;
 * - same run: blocks of N steps of the same model, with one sampled step and without any, alternating (with,
 *   without, without, with, ...), and the ratio of the median blocks, in this process's CPU time (what other
 *   processes on a shared machine do not change; single-threaded backends only) and in wall time (what a learner
 *   waits, and as noisy as the machine: its spread says how far to trust it).
 */
import { endStep } from '../backend/backend';
import { diagnose } from '../inspect/diagnose';
import { LayerProbe, SampleSchedule } from '../inspect/layer-stats';
import type { Module } from '../nn/module';
import type { ModelSpec } from '../../common/model-spec/index';
import { prepareInput, type AnyOptimizer, type LossFn } from '../model-spec/build';
import type { Tensor } from '../tensor';

export interface StatsOverhead {
  preset: string;
  backend: string;
  /** Batches per sample at least on this backend (50, or 500 on a device), and as the schedule settled here. */
  base: number;
  every: number;
  /** Median training step without a probe, and the median of the probe's own work on a sampled step: wall, CPU. */
  stepMs: number;
  sampleMs: number;
  stepCpuMs: number;
  sampleCpuMs: number;
  /** sample / (every × step), in percent: wall, CPU. */
  amortisedPct: number;
  amortisedCpuPct: number;
  /** Wall ms of each block of `every` steps, with one sampled and without. */
  withBlocksMs: number[];
  withoutBlocksMs: number[];
  /** median(with) / median(without) in wall time: 1.01 is 1% slower. */
  sameRunRatio: number;
  /** The same in this process's CPU time (user + system, all its threads). */
  withBlocksCpuMs: number[];
  withoutBlocksCpuMs: number[];
  sameRunCpuRatio: number;
  /** min(with) / min(without), CPU time: what a block costs when nothing else takes its caches (bench --stat min). */
  sameRunCpuMinRatio: number;
}

export interface StatsRun {
  preset: string;
  backend: string;
  spec: ModelSpec;
  model: Module;
  lossFn: LossFn;
  optimizer: AnyOptimizer;
  batches: [Tensor, Tensor][];
  /** sampleEvery for the backend: the schedule's least interval. */
  base: number;
  rounds: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];
const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

export function measureStatsOverhead(run: StatsRun): StatsOverhead {
  const { spec, model, lossFn, optimizer, batches, base } = run;
  let i = 0;
  let probeCpuMs = 0;
  /** One training step as the engine host's trainer takes it; with `sampled`, the probe's own wall ms (CPU ms in probeCpuMs). */
  const step = (sampled: boolean): number => {
    const [x, y] = batches[i++ % batches.length];
    endStep();
    let t = performance.now(), c = cpuNow();
    const probe = sampled ? new LayerProbe(model) : null;
    let probeMs = performance.now() - t;
    probeCpuMs = cpuNow() - c;
    const loss = lossFn(model.forward(prepareInput(spec, x)) as Tensor, y);
    loss.backward();
    loss.item();
    if (probe) {
      t = performance.now();
      c = cpuNow();
      probe.afterBackward();
      probeMs += performance.now() - t;
      probeCpuMs += cpuNow() - c;
    }
    optimizer.step();
    if (probe) {
      t = performance.now();
      c = cpuNow();
      diagnose(probe.afterStep());
      probeMs += performance.now() - t;
      probeCpuMs += cpuNow() - c;
    }
    optimizer.zeroGrad(true);
    return probeMs;
  };
  model.train();
  for (let k = 0; k < 15; k++) step(k >= 5); // warm-up, the probe's code paths included
  // The schedule as the engine host's trainer runs it, over 8 samples (its interval at most doubles each time).
  const schedule = new SampleSchedule(base);
  for (let k = 1, samples = 0; samples < 8; k++) {
    const sampled = schedule.due(k);
    const t0 = performance.now();
    const own = step(sampled);
    schedule.record(k, performance.now() - t0 - own, sampled ? own : undefined);
    if (sampled) samples++;
  }
  const every = schedule.every;
  const block = (sampled: boolean): { ms: number; cpuMs: number; steps: number[]; stepsCpu: number[]; probeMs: number; probeCpu: number } => {
    const steps: number[] = [], stepsCpu: number[] = [];
    let probeMs = 0, probeCpu = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let k = 1; k <= every; k++) {
      const s0 = performance.now(), c0 = cpuNow();
      const own = step(sampled && k === every);
      if (sampled && k === every) {
        probeMs = own;
        probeCpu = probeCpuMs;
      } else {
        steps.push(performance.now() - s0);
        stepsCpu.push(cpuNow() - c0);
      }
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, steps, stepsCpu, probeMs, probeCpu };
  };
  const withBlocksMs: number[] = [], withoutBlocksMs: number[] = [], stepTimes: number[] = [], sampleTimes: number[] = [];
  const withBlocksCpuMs: number[] = [], withoutBlocksCpuMs: number[] = [], stepCpuTimes: number[] = [], sampleCpuTimes: number[] = [];
  for (let r = 0; r < run.rounds; r++) {
    for (const sampled of r % 2 === 0 ? [true, false] : [false, true]) {
      const b = block(sampled);
      (sampled ? withBlocksMs : withoutBlocksMs).push(b.ms);
      (sampled ? withBlocksCpuMs : withoutBlocksCpuMs).push(b.cpuMs);
      stepTimes.push(...b.steps);
      stepCpuTimes.push(...b.stepsCpu);
      if (sampled) {
        sampleTimes.push(b.probeMs);
        sampleCpuTimes.push(b.probeCpu);
      }
    }
  }
  const stepMs = median(stepTimes);
  const sampleMs = median(sampleTimes);
  const stepCpuMs = median(stepCpuTimes);
  const sampleCpuMs = median(sampleCpuTimes);
  return {
    preset: run.preset, backend: run.backend, base, every, stepMs, sampleMs, stepCpuMs, sampleCpuMs,
    amortisedPct: (100 * sampleMs) / (every * stepMs), amortisedCpuPct: (100 * sampleCpuMs) / (every * stepCpuMs),
    withBlocksMs, withoutBlocksMs, sameRunRatio: median(withBlocksMs) / median(withoutBlocksMs),
    withBlocksCpuMs, withoutBlocksCpuMs, sameRunCpuRatio: median(withBlocksCpuMs) / median(withoutBlocksCpuMs),
    sameRunCpuMinRatio: Math.min(...withBlocksCpuMs) / Math.min(...withoutBlocksCpuMs),
  };
}

export function statsLine(s: StatsOverhead): string {
  const spread = (v: number[]) => `${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)} ms`;
  return `${s.preset.padEnd(15)} ${s.backend.padEnd(12)} a sample every ${s.every} steps (at least ${s.base}) costs ` +
    `${s.sampleCpuMs.toFixed(2)} ms CPU beside ${s.stepCpuMs.toFixed(2)} ms a step: +${s.amortisedCpuPct.toFixed(2)}% amortised ` +
    `(wall: ${s.sampleMs.toFixed(2)} ms beside ${s.stepMs.toFixed(2)} ms, +${s.amortisedPct.toFixed(2)}%); same run, blocks of ${s.every} steps ` +
    `with/without a sample: CPU time ${s.sameRunCpuRatio.toFixed(3)} median, ${s.sameRunCpuMinRatio.toFixed(3)} min (with ${spread(s.withBlocksCpuMs)}, without ${spread(s.withoutBlocksCpuMs)}), ` +
    `wall ${s.sameRunRatio.toFixed(3)} (with ${spread(s.withBlocksMs)}, without ${spread(s.withoutBlocksMs)}), ${s.withBlocksMs.length} blocks each`;
}

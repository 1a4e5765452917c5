/**
 * The curve charts' colours from the theme's palette: every dataset, the axes and grid, the legend and the run
 * markers. One place, used when a chart is made and again when the theme changes (chart-worker.ts), so a chart
 * re-themed live looks exactly like one made in that theme.
 */
import type { Metric } from './chart-data';
import type { Palette } from './palette';

/** A colour at `percent` strength over transparent, for lines that stay in the background. */
export const faint = (color: string, percent = 30) => `color-mix(in srgb, ${color} ${percent}%, transparent)`;

export interface DatasetColors {
  borderColor: string;
  backgroundColor?: string;
  fill?: false | { target: number; above: string; below: string };
}

export interface ChartColors {
  /** In chart-worker's dataset order: batch, smoothed, train epoch, validation epoch, best, overlay train, overlay val. */
  datasets: DatasetColors[];
  ticks: string;
  grid: string;
  legend: string;
  markers: { muted: string; bad: string; surface: string };
}

export function chartColors(c: Palette, metric: Metric): ChartColors {
  return {
    datasets: [
      // The raw batch line sits behind its smoothed one, except the lr's: a schedule is exact, it is the line.
      { borderColor: metric === 'lr' ? c.accent : faint(c.accent) },
      { borderColor: c.accent },
      { borderColor: c.accent, backgroundColor: c.accent },
      {
        borderColor: c.accent2, backgroundColor: c.accent2,
        // The gap between validation and training loss, shaded where validation is worse: overfitting, seen.
        fill: metric === 'loss' ? { target: 2, above: faint(c.bad), below: 'transparent' } : false,
      },
      { borderColor: c.warn, backgroundColor: c.warn },
      { borderColor: c.muted },
      { borderColor: c.muted },
    ],
    ticks: c.muted,
    // The border token is made to sit quietly on the surface; grid lines need a little more to be seen in dark.
    grid: faint(c.muted, 35),
    legend: c.text,
    markers: { muted: c.muted, bad: c.bad, surface: c.surface },
  };
}

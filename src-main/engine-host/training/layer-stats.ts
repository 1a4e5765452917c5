/**
 * A run's layer statistics (#16.3) on disk: the Trainer samples them every N batches (engine/inspect), the run
 * manager broadcasts each sample as `run-layer-stats` and appends it here, one JSON line per sample, so a reload or
 * a second window gets them back with the `run-layer-stats` request.
 *
 * A run that goes back in time (a restart from a checkpoint, a resume after a crash) trains the same steps again:
 * the later samples replace the earlier ones from that step on, as the curves do.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LAYER_STATS_HISTORY_MAX, thinSamples, type LayerStatsSample } from '../../../common/layer-stats';

export const LAYER_STATS_FILE = 'layer-stats.jsonl';

export function appendLayerStats(runDir: string, sample: LayerStatsSample): Promise<void> {
  return appendFile(join(runDir, LAYER_STATS_FILE), `${JSON.stringify(sample)}\n`);
}

/** The run's samples in step order (none for a run made before, or one that never sampled). */
export async function readLayerStats(runDir: string, max = LAYER_STATS_HISTORY_MAX): Promise<LayerStatsSample[]> {
  let text: string;
  try {
    text = await readFile(join(runDir, LAYER_STATS_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const samples: LayerStatsSample[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    let sample: LayerStatsSample;
    try {
      sample = JSON.parse(line) as LayerStatsSample;
    } catch {
      continue; // the last line of a process killed mid-write
    }
    while (samples.length && samples[samples.length - 1].step >= sample.step) samples.pop();
    samples.push(sample);
  }
  return thinSamples(samples, max);
}

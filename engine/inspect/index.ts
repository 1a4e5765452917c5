/** Inside the network, over training: per-layer statistics of a training step and their reading (#16.3). */
export {
  deadShare, histogram, HISTOGRAM_BINS, HISTOGRAM_SAMPLE, isSampled, l2Norm, LayerProbe, sampleEvery, SampleSchedule, STATS_BUDGET,
} from './layer-stats';
export { DEAD_SHARE, diagnose, EXPLODING_RATIO, gradRms, HUGE_UPDATE, TINY_UPDATE, VANISHING_RATIO } from './diagnose';

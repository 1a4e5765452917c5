import { createContext } from 'svelte';
import type { LayerStatsState } from './layer-stats.svelte';

export const [getLayerStatsState, setLayerStatsState] = createContext<LayerStatsState>();

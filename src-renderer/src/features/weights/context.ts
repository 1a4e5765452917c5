import { createContext } from 'svelte';
import type { WeightsState } from './weights.svelte';

export const [getWeightsState, setWeightsState] = createContext<WeightsState>();

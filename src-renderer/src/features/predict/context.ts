import { createContext } from 'svelte';
import type { PredictState } from './predict.svelte';

export const [getPredictState, setPredictState] = createContext<PredictState>();

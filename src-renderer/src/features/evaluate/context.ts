import { createContext } from 'svelte';
import type { EvaluateState } from './evaluate.svelte';

export const [getEvaluateState, setEvaluateState] = createContext<EvaluateState>();

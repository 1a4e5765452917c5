import { createContext } from 'svelte';
import type { TrainingState } from './training.svelte';

export const [getTrainingState, setTrainingState] = createContext<TrainingState>();

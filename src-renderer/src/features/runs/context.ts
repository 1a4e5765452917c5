import { createContext } from 'svelte';
import type { RunsState } from './runs.svelte';

export const [getRunsState, setRunsState] = createContext<RunsState>();

import { createContext } from 'svelte';
import type { EngineStatusState } from './engine-status.svelte';

/** The engine status, provided once by App and read by any component that shows it. */
export const [getEngineStatusState, setEngineStatusState] = createContext<EngineStatusState>();

import { createContext } from 'svelte';
import type { InsideState } from './inside.svelte';

export const [getInsideState, setInsideState] = createContext<InsideState>();

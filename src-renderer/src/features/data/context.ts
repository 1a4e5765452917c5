import { createContext } from 'svelte';
import type { DatasetsState } from './datasets.svelte';

/** The datasets, provided once by App and read by the Data panel's components. */
export const [getDatasetsState, setDatasetsState] = createContext<DatasetsState>();

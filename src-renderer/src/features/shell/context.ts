import { createContext } from 'svelte';
import type { AppInfoState } from './app-info.svelte';
import type { ConnectionState } from './connection.svelte';

export const [getAppInfoState, setAppInfoState] = createContext<AppInfoState>();
export const [getConnectionState, setConnectionState] = createContext<ConnectionState>();

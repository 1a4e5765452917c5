import { createContext } from 'svelte';
import type { BuilderState } from './builder.svelte';
import type { ProjectsState } from './projects.svelte';
import type { CanvasView } from './canvas-view.svelte';

export const [getBuilderState, setBuilderState] = createContext<BuilderState>();
export const [getProjectsState, setProjectsState] = createContext<ProjectsState>();
export const [getCanvasView, setCanvasView] = createContext<CanvasView>();

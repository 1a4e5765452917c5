import { createContext } from 'svelte';
import type { LessonState } from './lesson.svelte';

export const [getLessonState, setLessonState] = createContext<LessonState>();

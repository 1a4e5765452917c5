/** The engine's training loop (trainer.ts) and early stopping: what the CLI's fit and the engine host both drive. */
export * from './trainer';
export * from './early-stopping';

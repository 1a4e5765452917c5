/**
 * The Node adapter's public face, beside engine/index.ts: what a Node process adds to the pure engine (this
 * machine's backends). The engine host imports engine/node through this file alone (scripts/check-boundaries.ts);
 * engine/index.ts cannot carry it, since the engine itself runs where there is no Node.
 */
export { describeAdapter, registerNodeBackends, type NodeBackendOptions, type NodeBackends } from './backends';

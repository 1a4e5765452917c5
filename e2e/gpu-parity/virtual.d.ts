/** The module e2e/gpu-parity/vite.config.ts generates when the page is built. */
declare module 'virtual:gpu-parity-files' {
  /** Fixture file name → the URL it is served from. */
  export const fixtureUrls: Record<string, string>;
  /** One loader per engine/test/*.test.ts, in file-name order. */
  export const testFiles: (() => Promise<unknown>)[];
}

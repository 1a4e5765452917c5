import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = import.meta.dirname;
const at = (path: string) => resolve(root, path);

/**
 * Three Node entries and the renderer:
 * - main: the Electron main process (src-main/electron), the engine host (run by utilityProcess.fork in Electron and
 *   by child_process.fork under the browser host) and the browser host's server (src-main/web);
 * - preload: CommonJS, because a sandboxed preload cannot be an ES module;
 * - renderer: the Svelte app, shared by both hosts.
 */
export default defineConfig({
  main: {
    build: {
      outDir: at('out/main'),
      rolldownOptions: {
        input: {
          index: at('src-main/electron/main.ts'),
          'engine-host': at('src-main/engine-host/index.ts'),
          web: at('src-main/web/cli.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: at('out/preload'),
      rolldownOptions: {
        input: { index: at('src-main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: at('src-renderer'),
    plugins: [svelte()],
    build: {
      outDir: at('out/renderer'),
      rolldownOptions: { input: { index: at('src-renderer/index.html') } },
    },
  },
});

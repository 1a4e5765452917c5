import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkBoundaries, importsOf, wingOf } from './check-boundaries';

const repoRoot = resolve(import.meta.dirname, '..');
let tree: string | null = null;

function makeTree(files: Record<string, string>): string {
  tree = mkdtempSync(join(tmpdir(), 'boundaries-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(tree, path)), { recursive: true });
    writeFileSync(join(tree, path), text);
  }
  return tree;
}

afterEach(() => {
  if (tree) rmSync(tree, { recursive: true, force: true });
  tree = null;
});

describe('import boundaries', () => {
  it('finds every kind of import statement, ignoring comments', () => {
    const found = importsOf(`
      import { a } from './a';
      import type { B } from "../b";
      export * from './c';
      import './side-effect';
      const d = await import('./d');
      const e = require('e');
      // import { nope } from 'commented-out';
    `).map((i) => i.specifier);
    expect(found.sort()).toEqual(['../b', './a', './c', './d', './side-effect', 'e']);
  });

  it('classifies paths into wings', () => {
    expect(wingOf('engine/tensor.ts')).toBe('engine');
    expect(wingOf('engine/node/train-cli.ts')).toBe('engine-node');
    expect(wingOf('src-main/preload/index.ts')).toBe('preload');
    expect(wingOf('src-main/engine-host/index.ts')).toBe('engine-host');
    expect(wingOf('src-main/services/engine-supervisor.ts')).toBe('main-services');
    expect(wingOf('src-renderer/src/App.svelte')).toBe('renderer');
    expect(wingOf('e2e/app.spec.ts')).toBeNull();
  });

  it('fails on forbidden imports across wings', () => {
    const root = makeTree({
      'engine/tensor.ts': "import { readFileSync } from 'node:fs';\nimport { x } from '../src-main/services/x';",
      'src-renderer/src/App.svelte': "<script lang=\"ts\">\nimport { ipcRenderer } from 'electron';\nimport { Tensor } from '../../engine/tensor';\n</script>",
      'src-main/services/x.ts': "import { Tensor } from '../../engine/tensor';\nimport { app } from 'electron';",
      'common/api.ts': "import { writeFile } from 'fs';",
      'src-main/preload/index.ts': "import { contextBridge } from 'electron';\nimport { join } from 'node:path';",
    });
    const found = checkBoundaries(root).map((v) => `${v.file}:${v.line} ${v.target}`);
    expect(found.sort()).toEqual([
      'common/api.ts:1 node',
      'engine/tensor.ts:1 node',
      'engine/tensor.ts:2 main-services',
      'src-main/preload/index.ts:2 node',
      'src-main/services/x.ts:1 engine',
      'src-main/services/x.ts:2 electron',
      'src-renderer/src/App.svelte:2 electron',
      'src-renderer/src/App.svelte:3 engine',
    ]);
  });

  it('allows what the table allows, and Node/vitest in tests', () => {
    const root = makeTree({
      'engine/ops/add.ts': "import { Tensor } from '../tensor';\nimport type { ModelSpec } from '../../common/model-spec/types';",
      'engine/ops/add.test.ts': "import { readFileSync } from 'node:fs';\nimport { it } from 'vitest';",
      'engine/node/cli.ts': "import { readFileSync } from 'node:fs';\nimport { Tensor } from '../tensor';",
      'src-main/engine-host/index.ts': "import { Tensor } from '../../engine/index';\nimport { GPU } from 'gpu.js';\nimport { registerNodeBackends } from '../../engine/node/index';",
      'src-main/electron/main.ts': "import { app } from 'electron';\nimport { start } from '../services/supervisor';",
      'src-renderer/src/chart.ts': "import { Chart } from 'chart.js';\nimport type { AppInfo } from '../../common/api';",
    });
    expect(checkBoundaries(root)).toEqual([]);
  });

  it('lets the engine host import the engine only through engine/index.ts (and engine/node/index.ts); its tests may reach inside', () => {
    const root = makeTree({
      'src-main/engine-host/run.ts': [
        "import { spec, train } from '../../engine/index';",
        "import { Tensor } from '../../engine';",
        "import { buildModel } from '../../engine/model-spec/build';",
        "import type { Module } from '../../engine/nn/module.ts';",
        "import { registerNodeBackends } from '../../engine/node/backends';",
        "import { registerNodeBackends as again } from '../../engine/node/index';",
        "import { epochOrder } from '../../common/split';",
      ].join('\n'),
      'src-main/engine-host/run.test.ts': "import { cpuKernels } from '../../engine/backend/cpu/index';",
      // The engine's own files and the CLI import each other freely.
      'engine/node/train.ts': "import { fit } from '../model-spec/fit';",
    });
    expect(checkBoundaries(root).map((v) => `${v.file}:${v.line} ${v.target} ${v.specifier}`)).toEqual([
      'src-main/engine-host/run.ts:3 engine internals ../../engine/model-spec/build',
      'src-main/engine-host/run.ts:4 engine internals ../../engine/nn/module.ts',
      'src-main/engine-host/run.ts:5 engine internals ../../engine/node/backends',
    ]);
  });

  it('passes on this repository', () => {
    expect(checkBoundaries(repoRoot)).toEqual([]);
  });
});

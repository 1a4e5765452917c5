#!/usr/bin/env node
/**
 * `npm test`: every check, in order, each one a counted result, ending with one `N passed, N failed` line.
 *
 *   typecheck  tsc per wing (engine, node side, renderer) and svelte-check
 *   boundaries the import-boundary check (scripts/check-boundaries.ts)
 *   unit       vitest (tests beside the code, every wing)
 *   build      electron-vite build (main, engine host, browser host, CJS preload, renderer)
 *   e2e        Playwright in Chromium against the browser host (+ the Electron spec, which skips without its binary)
 *
 * Flags: `--only step[,step]`, `--skip step[,step]`. Later steps still run after a failure, so one run shows
 * everything that is wrong; the exit code is non-zero when anything failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const listArg = (flag) => {
  const i = args.indexOf(flag);
  return i >= 0 && args[i + 1] ? args[i + 1].split(',') : null;
};
const only = listArg('--only');
const skip = listArg('--skip') ?? [];
const wanted = (step) => (!only || only.includes(step)) && !skip.includes(step);

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
const scratch = mkdtempSync(join(tmpdir(), 'layerlab-test-'));

function run(label, command, commandArgs, env = {}) {
  console.log(`\n▶ ${label}: ${command} ${commandArgs.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', env: { ...process.env, ...env } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  console.log(`${ok ? '✔' : '✘'} ${label} (${seconds} s)`);
  return ok;
}

/** A step that is one check: it counts as one passed or one failed. */
function check(label, command, commandArgs) {
  if (run(label, command, commandArgs)) totals.passed++;
  else {
    totals.failed++;
    failures.push(label);
  }
}

/** A step whose runner reports many tests: count them from its JSON report. */
function suite(label, command, commandArgs, reportPath, readCounts, env) {
  const ok = run(label, command, commandArgs, env);
  let counts = null;
  try {
    counts = readCounts(JSON.parse(readFileSync(reportPath, 'utf8')));
  } catch {
    counts = null;
  }
  if (!counts) {
    totals.failed++;
    failures.push(`${label} (the runner produced no report)`);
    return;
  }
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
  if (counts.failed > 0) failures.push(`${label}: ${counts.failed} failed`);
  else if (!ok) {
    totals.failed++;
    failures.push(`${label} (runner exited non-zero)`);
  }
}

const bin = (name) => join('node_modules', '.bin', name);

// The WASM kernels are generated from AssemblyScript (npm install runs this too); it is quick when up to date,
// and typecheck, unit and build all need the generated module.
if (!run('wasm kernels', process.execPath, ['scripts/build-wasm.mjs'])) {
  totals.failed++;
  failures.push('wasm kernels build');
}

if (wanted('typecheck')) {
  check('typecheck engine', bin('tsc'), ['-p', 'tsconfig.engine.json']);
  check('typecheck node side', bin('tsc'), ['-p', 'tsconfig.node.json']);
  check('typecheck renderer', bin('svelte-check'), ['--tsconfig', './tsconfig.web.json', '--fail-on-warnings']);
}
if (wanted('boundaries')) check('import boundaries', bin('tsx'), ['scripts/check-boundaries.ts']);
if (wanted('unit')) {
  const report = join(scratch, 'vitest.json');
  suite('unit (vitest)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    report, (r) => ({
      passed: r.numPassedTests,
      failed: r.numFailedTests, // a suite that fails to load has no tests: the exit code catches it
      skipped: (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0),
    }));
}
if (wanted('build')) check('build (electron-vite)', bin('electron-vite'), ['build']);
if (wanted('e2e')) {
  if (!existsSync('out/main/web.js')) console.log('(e2e needs the build; it runs anyway and will report why it failed)');
  const report = join(scratch, 'playwright.json');
  suite('e2e (playwright)', bin('playwright'), ['test', '--reporter=list,json'], report, (r) => ({
    passed: r.stats.expected + (r.stats.flaky ?? 0),
    failed: r.stats.unexpected,
    skipped: r.stats.skipped,
  }), { PLAYWRIGHT_JSON_OUTPUT_NAME: report });
}

rmSync(scratch, { recursive: true, force: true });
console.log('');
if (failures.length) console.log(`Failed: ${failures.join('; ')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed === 0 ? 0 : 1);

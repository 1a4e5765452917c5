/**
 * `npm run export`: the PyTorch twin from the command line, byte for byte the file the app writes.
 *
 *   npm run export -- (--preset NAME | --spec FILE) --out twin.py [--weights RUN_DIR | --weights FILE.safetensors]
 *   npm run export -- --weights RUN_DIR --out twin.py
 *
 * - `--preset NAME`: a built-in model with a new project's run settings: what Build's Export .py writes after
 *   loading that preset.
 * - `--spec FILE`: a model spec JSON, or a saved project (`.layerlab.json`), whose run settings (epochs, seed, early
 *   stopping, clipping) then become the twin's defaults, as Export .py does with the open project.
 * - `--weights FILE.safetensors`: the twin's `--init` defaults to that file (its path from the folder of --out).
 * - `--weights RUN_DIR` (`<data dir>/runs/<id>`): the run's latest checkpoint is copied beside --out under the name
 *   the app's weights download gives it, and the twin is the one the download writes beside it: the run's spec
 *   (unless --preset/--spec names one) and its epochs, seed, early stopping and clipping.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkProject, DEFAULT_RUN, type ProjectRun } from '../common/project';
import { getPreset, PRESET_NAMES, validateSpec, type ModelSpec } from '../common/model-spec/index';
import type { RunMeta } from '../common/training-protocol';
import { twinForProject, twinForRun } from '../common/twin-file';
import { fileStem } from '../src-main/services/runs/weights';

export const USAGE = `Usage: npm run export -- (--preset NAME | --spec FILE) --out twin.py [--weights RUN_DIR | FILE.safetensors]

Writes the PyTorch twin of a model, the same file as the app's Export .py (or its weights download).

  --preset NAME       a built-in model (${PRESET_NAMES.join(', ')})
  --spec FILE         a model spec JSON, or a saved project (.layerlab.json) with its run settings
  --out FILE          where to write the script
  --weights PATH      a .safetensors file: the twin's --init defaults to it; or a run folder (<data dir>/runs/<id>):
                      its latest checkpoint is copied beside --out and the twin takes the run's spec and settings
  -h, --help          this text`;

export interface ExportIO {
  out(line: string): void;
  err(line: string): void;
}

class UsageError extends Error {}

interface ExportArgs { preset?: string; spec?: string; out?: string; weights?: string; help: boolean }

function parseArgs(argv: readonly string[]): ExportArgs {
  const args: ExportArgs = { help: false };
  const keys: Record<string, 'preset' | 'spec' | 'out' | 'weights'> = { '--preset': 'preset', '--spec': 'spec', '--out': 'out', '--weights': 'weights' };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].startsWith('--') && argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    if (flag === '-h' || flag === '--help') {
      args.help = true;
      continue;
    }
    const key = keys[flag];
    if (!key) throw new UsageError(flag.startsWith('-') ? `unknown flag ${flag} (see --help)` : `unexpected argument '${flag}' (flags start with --)`);
    if (args[key] !== undefined) throw new UsageError(`${flag} given twice`);
    const value = inline ?? argv[++i];
    if (value === undefined || (inline === undefined && value.startsWith('--'))) throw new UsageError(`${flag} needs a value`);
    args[key] = value;
  }
  if (args.help) return args;
  if (args.preset && args.spec) throw new UsageError('give either --spec or --preset, not both');
  if (!args.preset && !args.spec && !args.weights) throw new UsageError('give --preset NAME or --spec FILE (or --weights RUN_DIR)');
  if (!args.out) throw new UsageError('give --out FILE, where to write the script');
  return args;
}

function readJson(file: string, flag: string): unknown {
  if (!existsSync(file)) throw new Error(`${flag} ${file}: no such file`);
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${flag} ${file}: not valid JSON (${(err as Error).message})`);
  }
}

/** A spec file, or a project file with its run settings; either is checked as the app checks it. */
function readSpecFile(file: string): { spec: ModelSpec; run: ProjectRun | null } {
  const json = readJson(file, '--spec');
  if (json !== null && typeof json === 'object' && (json as { format?: unknown }).format !== undefined) {
    const parsed = checkProject(json);
    if (!parsed.ok) throw new Error(`--spec ${file}: not a project LayerLab opens (${parsed.problem}: ${parsed.detail})`);
    return { spec: parsed.project.spec, run: parsed.project.run };
  }
  const errors = validateSpec(json);
  if (errors.length > 0) throw new Error(`--spec ${file}: invalid model spec:\n${errors.map((e) => `  - ${e.message}`).join('\n')}`);
  return { spec: json as ModelSpec, run: null };
}

export function runExport(argv: readonly string[], io: ExportIO): number {
  let args: ExportArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    io.err(`export: ${(err as Error).message}`);
    return 2;
  }
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  try {
    return exportTwin(args, io);
  } catch (err) {
    io.err(`export: ${(err as Error).message}`);
    return err instanceof UsageError ? 2 : 1;
  }
}

function exportTwin(args: ExportArgs, io: ExportIO): number {
  // npm runs scripts from the package folder; paths are the learner's, from where they typed the command.
  const base = process.env.INIT_CWD ?? process.cwd();
  const out = resolve(base, args.out!);
  const weights = args.weights && resolve(base, args.weights);
  let given: { spec: ModelSpec; run: ProjectRun | null } | null = null;
  if (args.preset) {
    const spec = getPreset(args.preset);
    if (!spec) throw new UsageError(`unknown preset '${args.preset}' (presets: ${PRESET_NAMES.join(', ')})`);
    given = { spec, run: null };
  } else if (args.spec) {
    given = readSpecFile(resolve(base, args.spec));
  }
  mkdirSync(dirname(out), { recursive: true });

  if (weights && statSync(weights, { throwIfNoEntry: false })?.isDirectory()) {
    const meta = readJson(join(weights, 'run.json'), '--weights') as RunMeta;
    const checkpoint = join(weights, 'weights.safetensors');
    if (!existsSync(checkpoint)) throw new Error(`--weights ${args.weights}: the run "${meta.name}" has no checkpoint of its latest weights yet`);
    const spec = given?.spec ?? (readJson(join(weights, 'spec.json'), '--weights') as ModelSpec);
    // The name the app's weights download gives the file, beside the script, as the download puts them.
    const fileName = `${fileStem(meta.name)}-last.safetensors`;
    copyFileSync(checkpoint, join(dirname(out), fileName));
    writeFileSync(out, twinForRun(spec, meta, fileName).code);
    io.out(`wrote ${args.out} and ${join(dirname(args.out!), fileName)} (run "${meta.name}", ${meta.epochsDone} epochs trained)`);
    return 0;
  }
  if (!given) throw new UsageError('--weights names a file, not a run folder: give --preset NAME or --spec FILE too');
  if (weights) {
    if (!existsSync(weights)) throw new Error(`--weights ${args.weights}: no such file`);
    // The twin opens --init from where it runs: from the script's folder, as the app's download is run.
    const init = relative(dirname(out), weights).split(sep).join('/');
    writeFileSync(out, twinForProject(given.spec, given.run ?? DEFAULT_RUN, init));
    io.out(`wrote ${args.out} (--init defaults to ${init})`);
    return 0;
  }
  writeFileSync(out, twinForProject(given.spec, given.run ?? DEFAULT_RUN));
  io.out(`wrote ${args.out}${args.preset ? ` (${args.preset})` : ''}`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = runExport(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}

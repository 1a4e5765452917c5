#!/usr/bin/env node
/**
 * `npm run bench:bundle -- --out DIR [options]`: a folder that runs the engine's bench and train CLIs on a Linux
 * x86-64 GPU server with no Node, no npm and no network. It holds:
 *
 *   run.sh                        OUTDIR [--data DIR]: unpacks, checks the GPU prerequisites, runs bench and train
 *   bench-cli.mjs, train-cli.mjs  engine/node/{bench,train}-cli.ts bundled by esbuild (ESM, so import.meta.url and
 *   lib/*.mjs                     createRequire work), with their shared code in lib/; the wasm kernels are inside
 *                                 (engine/backend/wasm/generated is a TS module of base64 bytes)
 *   bin/node.xz                   this machine's Node (process.execPath), symbol table stripped, `xz -9`
 *   node_modules/gpu.js           src/ (its main), with its runtime dependencies acorn and gpu-mock.js: gpujs-worker.ts
 *   node_modules/acorn              resolves 'gpu.js' and 'webgpu' with createRequire(import.meta.url), which finds
 *   node_modules/gpu-mock.js        this node_modules from the bundled files
 *   node_modules/webgpu           index.js and dist/linux-x64/dawn.node.xz (Dawn; the other platforms are left out)
 *   data/mnist                    the four MNIST IDX files (from --data)
 *   bundle.json                   what was built from what, and each part's size
 *
 * Options:
 *   --out DIR        the folder (default out/bench-bundle); an existing one is replaced only if it is empty or an
 *                    earlier bundle
 *   --data DIR       MNIST IDX files to copy (default ../shared/data/mnist when it exists); --no-data copies none
 *   --max-mib N      fail when the folder is larger (default 40)
 *   --xz-level N     xz preset for node and dawn.node (default 9; tests use 0, which is fast and larger)
 *   --no-strip       keep node's symbol table (2 MB more after xz); `strip --strip-all` keeps the dynamic symbols
 *                    that native addons such as dawn.node link against
 *
 * Compressed node and dawn.node are cached in node_modules/.cache/layerlab-bench-bundle by source, size, mtime and
 * options, so a rebuild does not pay xz -9 again (about 50 s).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync, closeSync, copyFileSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MARKER = 'bundle.json';
const MNIST = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
const MiB = 1024 * 1024;

class BundleError extends Error {}

function parseArgs(argv) {
  const opts = { out: join(root, 'out', 'bench-bundle'), data: undefined, maxMiB: 40, xzLevel: 9, strip: true };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new BundleError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--out') opts.out = resolve(value());
    else if (flag === '--data') opts.data = resolve(value());
    else if (flag === '--no-data') opts.data = null;
    else if (flag === '--max-mib') {
      opts.maxMiB = Number(value());
      if (!(opts.maxMiB > 0)) throw new BundleError('--max-mib needs a positive number');
    } else if (flag === '--xz-level') {
      opts.xzLevel = Number(value());
      if (!Number.isInteger(opts.xzLevel) || opts.xzLevel < 0 || opts.xzLevel > 9) throw new BundleError('--xz-level must be 0..9');
    } else if (flag === '--no-strip') opts.strip = false;
    else if (flag === '-h' || flag === '--help') {
      console.log('Usage: npm run bench:bundle -- --out DIR [--data DIR | --no-data] [--max-mib 40] [--xz-level 9] [--no-strip]');
      process.exit(0);
    } else throw new BundleError(`unknown option ${flag}`);
  }
  return opts;
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...options });
  if (result.error) throw new BundleError(`could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) throw new BundleError(`${command} ${args.join(' ')} failed: ${(result.stderr || result.stdout || '').trim().split('\n').pop()}`);
  return result.stdout;
}

/** Empties `out`, refusing a non-empty folder that is not an earlier bundle (so --out . cannot wipe a tree). */
function prepareOut(out) {
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new BundleError(`--out ${out} is a file`);
    const entries = readdirSync(out);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new BundleError(`--out ${out} is not empty and holds no ${MARKER}: not replacing it (choose a new or empty folder)`);
    }
    rmSync(out, { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
}

/**
 * `xz -LEVEL` of `source` (stripped first with `strip`) into `target`, through the cache: the key is the source's
 * path, size and mtime and the options.
 */
function xzCached(source, target, { level, strip = false }) {
  const info = statSync(source);
  const key = createHash('sha256').update(JSON.stringify([source, info.size, info.mtimeMs, level, strip])).digest('hex').slice(0, 16);
  const cacheDir = join(root, 'node_modules', '.cache', 'layerlab-bench-bundle');
  const prefix = `${basename(source)}-L${level}${strip ? 's' : ''}-`;
  const cached = join(cacheDir, `${prefix}${key}.xz`);
  if (!existsSync(cached)) {
    mkdirSync(cacheDir, { recursive: true });
    const stripped = join(cacheDir, `${prefix}${process.pid}.stripped`);
    const partial = `${cached}.${process.pid}.partial`;
    try {
      if (strip && spawnSync('strip', ['--version']).error) {
        throw new BundleError('strip is not installed (Debian: apt-get install binutils); or give --no-strip (2 MB larger)');
      }
      if (strip) run('strip', ['--strip-all', '-o', stripped, source]);
      const fd = openSync(partial, 'w');
      const xz = spawnSync('xz', [`-${level}`, '-c', '--', strip ? stripped : source], { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
      closeSync(fd);
      if (xz.error) throw new BundleError(`could not run xz (Debian: apt-get install xz-utils): ${xz.error.message}`);
      if (xz.status !== 0) throw new BundleError(`xz -${level} ${source} failed: ${xz.stderr.trim()}`);
      renameSync(partial, cached);
    } finally {
      rmSync(stripped, { force: true });
      rmSync(partial, { force: true });
    }
    // One cached copy per source and options: the older ones go.
    for (const f of readdirSync(cacheDir)) if (f.startsWith(prefix) && f.endsWith('.xz') && join(cacheDir, f) !== cached) rmSync(join(cacheDir, f), { force: true });
  }
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(cached, target);
}

/** Copies `files` (files or folders, relative to the package) of the package `name` as resolved from `from`. */
function copyPackage(out, name, files, from = root) {
  const requireFrom = createRequire(join(from, 'package.json'));
  let dir;
  try {
    dir = dirname(requireFrom.resolve(`${name}/package.json`));
  } catch {
    throw new BundleError(`the '${name}' package is not installed (run npm install)`);
  }
  const target = join(out, 'node_modules', name);
  for (const file of files) {
    const source = join(dir, file);
    if (!existsSync(source)) throw new BundleError(`${name}: ${file} is missing from ${dir}`);
    cpSync(source, join(target, file), {
      recursive: true,
      // Only JavaScript from a folder: gpu.js's src/ also holds its typings and a browser banner.
      filter: (path) => statSync(path).isDirectory() || path === source || /\.(c|m)?js$/.test(path),
    });
  }
  return dir;
}

/** gpu.js and what it requires at runtime (see the header), and Dawn's `webgpu` for Linux x64. */
function copyPackages(out, xzLevel) {
  const gpujs = copyPackage(out, 'gpu.js', ['package.json', 'LICENSE', 'src']);
  const gpujsPackage = JSON.parse(readFileSync(join(gpujs, 'package.json'), 'utf8'));
  if (gpujsPackage.main !== './src/index.js') throw new BundleError(`gpu.js's main is ${gpujsPackage.main}, not ./src/index.js: update scripts/bench-bundle.mjs`);
  // Its dependencies: acorn and gpu-mock.js are required by src/; its own 'webgpu' (0.2.9) is not (the engine's worker
  // loads the top-level one); 'gl' (headless-gl) is optional and required inside a try.
  const runtime = { acorn: ['package.json', 'LICENSE', 'dist/acorn.js'], 'gpu-mock.js': ['package.json', 'LICENSE', 'index.js'] };
  for (const dep of Object.keys(gpujsPackage.dependencies ?? {})) {
    if (dep === 'webgpu') continue;
    if (!runtime[dep]) throw new BundleError(`gpu.js depends on '${dep}', which scripts/bench-bundle.mjs does not know: add it`);
    copyPackage(out, dep, runtime[dep], gpujs);
  }
  const webgpu = copyPackage(out, 'webgpu', ['package.json', 'LICENSE.md', 'index.js']);
  const dawn = join(webgpu, 'dist', 'linux-x64', 'dawn.node');
  if (!existsSync(dawn)) throw new BundleError(`${dawn} is missing (the webgpu package ships one per platform)`);
  xzCached(dawn, join(out, 'node_modules', 'webgpu', 'dist', 'linux-x64', 'dawn.node.xz'), { level: xzLevel });
}

/** An esbuild entry that runs a CLI: train-cli.ts runs on import; bench-cli.ts only when it is argv[1], so call main. */
const ENTRIES = {
  'bench-cli': `import { main } from './engine/node/bench-cli.ts';\nprocess.exitCode = await main(process.argv.slice(2));\n`,
  'train-cli': `import './engine/node/train-cli.ts';\n`,
};

async function bundleClis(out) {
  // The wasm kernels are imported from a generated, git-ignored module: make sure it is there and current.
  run(process.execPath, [join(root, 'scripts', 'build-wasm.mjs')], { cwd: root });
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new BundleError("esbuild is not installed (it comes with the devDependencies: run npm install)");
  }
  const result = await esbuild.build({
    entryPoints: Object.keys(ENTRIES).map((name) => ({ in: `cli:${name}`, out: name })),
    plugins: [{
      name: 'cli-entries',
      setup(build) {
        build.onResolve({ filter: /^cli:/ }, (args) => ({ path: args.path.slice(4), namespace: 'cli' }));
        build.onLoad({ filter: /.*/, namespace: 'cli' }, (args) => ({ contents: ENTRIES[args.path], loader: 'ts', resolveDir: root }));
      },
    }],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    splitting: true,
    outdir: out,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'lib/[name]-[hash]',
    // Loaded from the folder's node_modules at run time (the worker thread resolves them by path as well).
    external: ['gpu.js', 'webgpu'],
    banner: { js: '// LayerLab bench bundle: built by scripts/bench-bundle.mjs from engine/node; do not edit.' },
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  // Anything else from node_modules would be missing on the server: the engine imports only those two.
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  const unknown = [...new Set(imports)].filter((p) => !p.startsWith('node:') && !['gpu.js', 'webgpu'].includes(p) && !isBuiltin(p));
  if (unknown.length > 0) throw new BundleError(`the bundle imports packages it does not carry: ${unknown.join(', ')}`);
}

const isBuiltin = (p) => builtinModules.includes(p);

/**
 * The folder's run.sh (a template literal: `\${` and `\\` below are the shell's `${` and `\`). Kept here so that the
 * bundle is made from one file; `bash -n` checks it in the test.
 */
const RUN_SH = `#!/usr/bin/env bash
# LayerLab bench bundle (built by \`npm run bench:bundle\`): the engine's bench and one LeNet-5 training epoch, run by
# the Node and packages in this folder. Needs no Node, npm or network; needs xz (or python3) to unpack once.
#
#   ./run.sh OUTDIR [--data DIR]
#
# Writes OUTDIR/bench.json (\`npm run bench -- --json\`: training, GEMM and prediction figures per preset and
# backend), OUTDIR/train-lenet.json (one epoch of LeNet-5) and the logs OUTDIR/*.log. MNIST comes from --data DIR,
# else from this folder's data/mnist.
#
# Environment:
#   BENCH_ARGS      more bench flags, put first so that they win over run.sh's (e.g. "--batches 20 --epochs 3")
#   BENCH_PRESETS   presets to time (default all)
#   BENCH_BACKENDS  default wasm,wasm+threads,gpujs-webgpu; one that is not available here is dropped, and said so
#   TRAIN_BACKEND   the training's backend (default gpujs-webgpu)
#   TRAIN_ARGS      more train flags, other than those run.sh gives (e.g. "--limit 6000 --log-batches")
#   TORCH_PYTHON    the python3 whose PyTorch times the same presets on this machine (default python3: on CUDA
#                   when torch sees a GPU) into OUTDIR/torch.json; TORCH_PRESETS picks them; SKIP_TORCH=1 skips
#
# Exit status: 0 everything ran (without MNIST: the bench without --full, no training); 1 the bench or the training
# failed, or could not start; 2 usage; 3 it ran, but gpujs-webgpu did not (the bench and/or the training went without
# it; the reasons are printed).
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
usage() { echo "usage: $0 OUTDIR [--data DIR]   (--help for more)" >&2; exit 2; }
case \${1:-} in
  -h|--help) sed -n '2,20p' "$0" | sed 's/^# \\{0,1\\}//'; exit 0 ;;
  ''|-*) usage ;;
esac
OUTDIR=$1; shift
DATA=
while [ $# -gt 0 ]; do
  case $1 in
    --data) [ $# -ge 2 ] || usage; DATA=$2; shift 2 ;;
    *) echo "run.sh: unknown option $1" >&2; usage ;;
  esac
done
mkdir -p "$OUTDIR" || exit 2
OUTDIR=$(cd "$OUTDIR" && pwd)
: > "$OUTDIR/run.log"
say() { printf '%s\\n' "$*" | tee -a "$OUTDIR/run.log"; }
STATUS=0

# 1. Node and Dawn, unpacked once beside their .xz (or, where this folder is read-only, in a copy under $TMPDIR, removed at the end).
DAWN=node_modules/webgpu/dist/linux-x64/dawn.node
APP=$HERE
if { [ ! -s "$APP/bin/node" ] || [ ! -s "$APP/$DAWN" ]; } && { [ ! -w "$HERE/bin" ] || [ ! -w "$HERE/\${DAWN%/*}" ]; }; then
  APP=$(mktemp -d "\${TMPDIR:-/tmp}/layerlab-bench.XXXXXX") || exit 1
  trap 'rm -rf "$APP"' EXIT
  cp -R "$HERE/bin" "$HERE/node_modules" "$HERE/lib" "$HERE/bench-cli.mjs" "$HERE/train-cli.mjs" "$APP/" || exit 1
  say "$HERE is read-only: unpacking into $APP"
fi
unpack() { # FILE.xz TARGET
  [ -s "$2" ] && return 0
  local partial="$2.partial.$$"
  if command -v xz > /dev/null 2>&1; then
    xz -d -c "$1" > "$partial"
  elif command -v python3 > /dev/null 2>&1; then
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$partial"
  else
    say "run.sh: cannot unpack $1: needs xz (Ubuntu: apt-get install xz-utils) or python3"
    return 1
  fi || { rm -f "$partial"; say "run.sh: unpacking $1 failed"; return 1; }
  mv -f "$partial" "$2"
}
unpack "$APP/bin/node.xz" "$APP/bin/node" && chmod +x "$APP/bin/node" || exit 1
unpack "$APP/$DAWN.xz" "$APP/$DAWN" || exit 1
NODE=$APP/bin/node
if ! NODE_VERSION=$("$NODE" --version 2>&1); then
  say "run.sh: the bundled node does not run here: $NODE_VERSION"
  exit 1
fi
say "node $NODE_VERSION, $(nproc 2> /dev/null || echo '?') cores, $(uname -sr)"

# 2. What Dawn needs to find an NVIDIA GPU: the Vulkan loader, the GL dispatch libraries the NVIDIA driver's Vulkan
# library links against (libglvnd), and the driver's Vulkan ICD json. Reported, not enforced: the wasm figures run anyway.
say "GPU prerequisites (Dawn runs WebGPU on Vulkan):"
GPU_PROBLEMS=
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
LIBS=$("$LDCONFIG" -p 2> /dev/null) || LIBS=
[ -n "$LIBS" ] || say "  ldconfig -p gave no list (no $LDCONFIG?): every library below reads as missing"
resolved() { printf '%s\\n' "$LIBS" | awk -v lib="$1" '$1 == lib && /x86-64/ { print $NF; exit }'; }
for entry in libvulkan.so.1:libvulkan1 libGLdispatch.so.0:libglvnd0 libEGL.so.1:libegl1 libGLX.so.0:libglx0; do
  lib=\${entry%%:*}
  path=$(resolved "$lib")
  if [ -n "$path" ]; then
    say "  $lib: $path"
  else
    say "  $lib: MISSING (not in ldconfig -p; Ubuntu package \${entry#*:})"
    GPU_PROBLEMS="$GPU_PROBLEMS $lib"
  fi
done
ICDS=()
if [ -n "\${VK_ICD_FILENAMES:-}" ]; then
  say "  VK_ICD_FILENAMES=$VK_ICD_FILENAMES (the Vulkan loader reads only these)"
  IFS=: read -r -a listed <<< "$VK_ICD_FILENAMES"
  for f in "\${listed[@]}"; do
    if [ -f "$f" ]; then ICDS+=("$f"); else say "  $f (from VK_ICD_FILENAMES): no such file"; fi
  done
fi
for dir in /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d; do
  for f in "$dir"/*.json; do [ -f "$f" ] && ICDS+=("$f"); done
done
NVIDIA_ICD=
for f in \${ICDS[@]+"\${ICDS[@]}"}; do
  read_by_loader=1 note=
  case ":\${VK_ICD_FILENAMES:-}:" in
    ::) ;;
    *":$f:"*) ;;
    *) read_by_loader= note=', not read while VK_ICD_FILENAMES is set' ;;
  esac
  lib=$(sed -n 's/.*"library_path"[[:space:]]*:[[:space:]]*"\\([^"]*\\)".*/\\1/p' "$f" | head -n 1)
  case $lib in
    '') found='no library_path' ;;
    /*) [ -e "$lib" ] && found=found || found=MISSING ;;
    */*) [ -e "$(dirname "$f")/$lib" ] && found=found || found=MISSING ;;
    *) [ -n "$(resolved "$lib")" ] && found=found || found='MISSING from ldconfig -p' ;;
  esac
  case "$f $lib" in
    *[Nn][Vv][Ii][Dd][Ii][Aa]*) kind='NVIDIA Vulkan ICD'; [ "$found" = found ] && [ -n "$read_by_loader" ] && NVIDIA_ICD=$f ;;
    *) kind='Vulkan ICD' ;;
  esac
  say "  $kind: $f -> $lib ($found$note)"
done
if [ -z "$NVIDIA_ICD" ]; then
  say "  no NVIDIA Vulkan ICD json in /usr/share/vulkan/icd.d, /etc/vulkan/icd.d, /usr/local/nvidia/share/vulkan/icd.d or \\$VK_ICD_FILENAMES"
  say "    (the NVIDIA driver installs nvidia_icd.json; in a container NVIDIA_DRIVER_CAPABILITIES must include graphics)"
  GPU_PROBLEMS="$GPU_PROBLEMS nvidia_icd.json"
fi
if command -v nvidia-smi > /dev/null 2>&1; then
  nvidia-smi -L 2>&1 | head -n 8 | while IFS= read -r line; do say "  nvidia-smi: $line"; done
else
  say "  nvidia-smi: not found"
fi
if [ -n "$GPU_PROBLEMS" ]; then
  say "  => missing:$GPU_PROBLEMS: gpujs-webgpu will most likely find no NVIDIA GPU."
  case $GPU_PROBLEMS in
    *libGLdispatch* | *libGLX* | *libEGL*)
      say "     The NVIDIA driver's Vulkan library needs libglvnd (Ubuntu: libglvnd0, libegl1, libglx0); without it Dawn prints \\"Found no drivers\\"." ;;
  esac
  say "     Dawn may fall back to a software adapter (SwiftShader, lavapipe), which the report names. The wasm figures run anyway."
else
  say "  => all present"
fi

# 3. MNIST
[ -n "$DATA" ] || DATA=$HERE/data/mnist
HAVE_DATA=
if [ -e "$DATA/train-images-idx3-ubyte.gz" ] || [ -e "$DATA/train-images-idx3-ubyte" ]; then
  HAVE_DATA=1
  DATA=$(cd "$DATA" && pwd)
  say "data: $DATA"
else
  say "data: no MNIST IDX files in $DATA: the bench runs without --full and the training is skipped (give --data DIR)"
fi

# 4. The bench. A backend that is not available here ends the bench with exit 2 and a line that says so: drop it, rerun.
BACKENDS=\${BENCH_BACKENDS:-wasm,wasm+threads,gpujs-webgpu}
PRESETS=\${BENCH_PRESETS:-all}
FULL=()
[ -n "$HAVE_DATA" ] && FULL=(--full --data "$DATA")
: > "$OUTDIR/bench.log"
rm -f "$OUTDIR/bench.json"
BENCH_OK=
WEBGPU_MISSING=
while :; do
  say "bench: presets $PRESETS, backends $BACKENDS\${HAVE_DATA:+, --full}\${BENCH_ARGS:+, BENCH_ARGS: $BENCH_ARGS} (log: $OUTDIR/bench.log)"
  # shellcheck disable=SC2086 # BENCH_ARGS is a list of flags
  set -- \${BENCH_ARGS:-} --json --presets "$PRESETS" --backends "$BACKENDS" \${FULL[@]+"\${FULL[@]}"}
  echo "\\$ node bench-cli.mjs $*" >> "$OUTDIR/bench.log"
  started=$(date +%s)
  "$NODE" "$APP/bench-cli.mjs" "$@" > "$OUTDIR/bench.out" 2>> "$OUTDIR/bench.log"
  rc=$?
  if [ $rc -eq 0 ]; then
    mv -f "$OUTDIR/bench.out" "$OUTDIR/bench.json"
    BENCH_OK=1
    say "  done in $(( $(date +%s) - started )) s: $OUTDIR/bench.json"
    # A row the device could not do is in the JSON's failures; the other rows' figures are kept.
    "$NODE" -e 'for (const f of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).failures || []) console.log((f.preset || f.part) + " on " + f.backend + ": " + f.error)' "$OUTDIR/bench.json" 2> /dev/null |
      while IFS= read -r line; do say "  failed: $line"; done
    break
  fi
  cat "$OUTDIR/bench.out" >> "$OUTDIR/bench.log"
  reason=$(grep -m 1 '^bench: ' "$OUTDIR/bench.out" | sed 's/^bench: //')
  drop=
  case $reason in
    *"gpujs-webgpu is not available here"* | *"'gpujs-webgpu' is not available here"*) drop=gpujs-webgpu ;;
    *"'wasm+threads' is not available here"*) drop=wasm+threads ;;
  esac
  rest=$(printf ',%s,' "$BACKENDS" | sed "s/,$drop,/,/; s/^,//; s/,\\$//")
  if [ -z "$drop" ] || [ -z "$rest" ] || [ "$rest" = "$BACKENDS" ]; then
    say "  the bench failed (exit $rc): \${reason:-see $OUTDIR/bench.log}"
    tail -n 5 "$OUTDIR/bench.log" | while IFS= read -r line; do say "    $line"; done
    STATUS=1
    break
  fi
  say "  $reason"
  say "  => again without $drop"
  [ "$drop" = gpujs-webgpu ] && WEBGPU_MISSING="$WEBGPU_MISSING bench"
  BACKENDS=$rest
done
rm -f "$OUTDIR/bench.out"
if [ -n "$BENCH_OK" ]; then
  "$NODE" -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const f = (x, d) => (x === null || x === undefined ? "-" : x.toFixed(d));
    for (const [b, a] of Object.entries(r.adapters || {})) console.log("  " + b + " runs on " + a);
    for (const t of r.training) {
      console.log("  " + t.preset.padEnd(15) + " " + t.backend.padEnd(13) + f(t.msPerBatch, 2).padStart(8) + " ms/batch  epoch ~ " +
        f(t.epochSeconds, 2) + " s" + (t.fullEpochSeconds === null ? "" : "  full epoch " + f(t.fullEpochSeconds, 2) + " s, train accuracy " +
        f(100 * t.fullEpochAccuracy, 1) + "%, test accuracy " + f(100 * t.fullEpochTestAccuracy, 2) + "%") +
        (t.submitsPerStep === null ? "" : "  per step: " + f(t.submitsPerStep, 1) + " submits, " + f(t.readbacksPerStep, 1) + " reads, " +
          f(t.uploadBytesPerStep / 1024, 1) + " KiB up, " + f(t.readBytesPerStep, 0) + " B down, host " + f(t.hostMsPerStep, 2) + " ms + gpu.js thread " +
          f(t.planHostMsPerStep, 2) + " ms (" + (t.planExecutors || []).join("; ") + ")"));
    }
    const backends = [...new Set(r.gemm.map((g) => g.backend))];
    console.log("  GEMM best GFLOP/s: " + backends.map((b) => b + " " + f(Math.max(...r.gemm.filter((g) => g.backend === b).map((g) => g.gflops)), 1)).join(", "));
    console.log("  LeNet-5 prediction, median ms: " + r.latency.map((l) => l.backend + " " + f(l.medianMs, 3)).join(", "));
  ' "$OUTDIR/bench.json" 2>&1 | tee -a "$OUTDIR/run.log"
fi

# 5. One epoch of LeNet-5. train --json prints a JSON line per epoch and then the test figures: gathered into one document.
TRAIN_BACKEND=\${TRAIN_BACKEND:-gpujs-webgpu}
rm -f "$OUTDIR/train-lenet.json"
if [ -n "$HAVE_DATA" ]; then
  say "train: LeNet-5, 1 epoch on $TRAIN_BACKEND\${TRAIN_ARGS:+, TRAIN_ARGS: $TRAIN_ARGS} (log: $OUTDIR/train-lenet.log)"
  # shellcheck disable=SC2086 # TRAIN_ARGS is a list of flags
  set -- --preset LeNet-5 --epochs 1 --data "$DATA" --backend "$TRAIN_BACKEND" --json \${TRAIN_ARGS:-}
  echo "\\$ node train-cli.mjs $*" > "$OUTDIR/train-lenet.log"
  started=$(date +%s)
  "$NODE" "$APP/train-cli.mjs" "$@" > "$OUTDIR/train-lenet.out" 2>> "$OUTDIR/train-lenet.log"
  rc=$?
  "$NODE" -e '
    const fs = require("fs");
    const [out, log, target, rc, backend, seconds] = process.argv.slice(1);
    const json = fs.readFileSync(out, "utf8").split("\\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    const logLines = fs.readFileSync(log, "utf8").split("\\n");
    const error = logLines.filter((l) => l.startsWith("train: ")).map((l) => l.slice(7)).join("\\n") || null;
    const report = {
      preset: "LeNet-5", backend, exitCode: Number(rc), seconds: Number(seconds), error,
      chosen: logLines.find((l) => l.startsWith("backend ")) || null,
      epochs: json.filter((j) => "epoch" in j), test: json.find((j) => "testAcc" in j) || null,
    };
    fs.writeFileSync(target, JSON.stringify(report, null, 2) + "\\n");
    const e = report.epochs[report.epochs.length - 1];
    if (report.exitCode !== 0) console.log("  the training failed (exit " + rc + "): " + (error || "see " + log));
    else console.log("  done in " + seconds + " s: " + (e ? "train loss " + e.trainLoss.toFixed(4) + ", " + Math.round(e.samplesPerSec) + " samples/s" : "") +
      (report.test ? ", test accuracy " + (100 * report.test.testAcc).toFixed(2) + "%" : "") + ": " + target);
  ' "$OUTDIR/train-lenet.out" "$OUTDIR/train-lenet.log" "$OUTDIR/train-lenet.json" "$rc" "$TRAIN_BACKEND" "$(( $(date +%s) - started ))" 2>&1 | tee -a "$OUTDIR/run.log"
  rm -f "$OUTDIR/train-lenet.out"
  if [ $rc -ne 0 ]; then
    if [ "$TRAIN_BACKEND" = gpujs-webgpu ] && grep -q "no backend 'gpujs-webgpu'" "$OUTDIR/train-lenet.log"; then
      adapter=
      [ -n "$BENCH_OK" ] && adapter=$("$NODE" -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).adapters["gpujs-webgpu"] || "")' "$OUTDIR/bench.json" 2> /dev/null)
      if [ -n "$adapter" ]; then
        say "  (the training takes gpujs-webgpu only on a hardware adapter; Dawn's is $adapter)"
      else
        say "  (the training takes gpujs-webgpu only on a hardware adapter; the bench's line above says why there is none)"
      fi
      WEBGPU_MISSING="$WEBGPU_MISSING train"
    else
      [ $STATUS -eq 0 ] && STATUS=1
    fi
  fi
fi

# PyTorch on the same machine, for the ratio that matters: on its GPU when torch sees one (scripts/torch_bench.py).
TORCH_PYTHON=\${TORCH_PYTHON:-python3}
if [ -n "$HAVE_DATA" ] && [ "\${SKIP_TORCH:-}" != 1 ] && "$TORCH_PYTHON" -c 'import torch' > /dev/null 2>&1; then
  device=$("$TORCH_PYTHON" -c 'import torch; print("cuda" if torch.cuda.is_available() else "cpu")')
  say "torch: \${TORCH_PRESETS:-MLP,LeNet-5,Example-Net} in PyTorch on $device (log: $OUTDIR/torch.log)"
  if "$TORCH_PYTHON" "$APP/torch_bench.py" --data "$DATA" --epochs 3 --device "$device" --threads "$(nproc)" \
      --presets "\${TORCH_PRESETS:-MLP,LeNet-5,Example-Net}" > "$OUTDIR/torch.json" 2> "$OUTDIR/torch.log"; then
    say "  done: $OUTDIR/torch.json"
  else
    say "  torch_bench failed (see torch.log)"
  fi
else
  say "torch: skipped (no $TORCH_PYTHON with torch here, no data, or SKIP_TORCH=1)"
fi

if [ $STATUS -eq 0 ] && [ -n "$WEBGPU_MISSING" ]; then
  say "gpujs-webgpu did not run:$WEBGPU_MISSING (see above)"
  STATUS=3
fi
say "results in $OUTDIR: $(cd "$OUTDIR" && ls -- *.json *.log 2> /dev/null | tr '\\n' ' ')"
exit $STATUS
`;

function copyData(out, data) {
  const target = join(out, 'data', 'mnist');
  mkdirSync(target, { recursive: true });
  for (const name of MNIST) {
    const file = [`${name}.gz`, name].map((f) => join(data, f)).find((f) => existsSync(f));
    if (!file) throw new BundleError(`--data ${data}: missing ${name}.gz (the folder needs the four MNIST IDX files)`);
    copyFileSync(file, join(target, basename(file)));
  }
  if (existsSync(join(data, 'SHA256SUMS'))) copyFileSync(join(data, 'SHA256SUMS'), join(target, 'SHA256SUMS'));
}

function sizeOf(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.size;
  return readdirSync(path).reduce((sum, entry) => sum + sizeOf(join(path, entry)), 0);
}

const mib = (bytes) => `${(bytes / MiB).toFixed(2)} MiB`;

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new BundleError(`the bundle carries this machine's Node for Linux x86-64: build it there (this is ${process.platform}-${process.arch})`);
  }
  let data = opts.data;
  if (data === undefined) {
    const shared = resolve(root, '..', 'shared', 'data', 'mnist');
    data = existsSync(shared) ? shared : null;
    if (!data) console.log(`bench:bundle: no MNIST at ${shared}: the bundle carries no data (run.sh will need --data DIR)`);
  } else if (data && !existsSync(data)) throw new BundleError(`--data ${data} does not exist`);

  const out = opts.out;
  prepareOut(out);
  const started = Date.now();
  console.log(`bench:bundle: building ${out}`);
  await bundleClis(out);
  copyPackages(out, opts.xzLevel);
  xzCached(process.execPath, join(out, 'bin', 'node.xz'), { level: opts.xzLevel, strip: opts.strip });
  if (data) copyData(out, data);
  writeFileSync(join(out, 'run.sh'), RUN_SH, { mode: 0o755 });
  copyFileSync(join(root, 'scripts', 'torch_bench.py'), join(out, 'torch_bench.py'));
  chmodSync(join(out, 'run.sh'), 0o755);

  const git = (...args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git('rev-parse', '--short', 'HEAD') || null;
  // The CLIs are bundled from the working tree, which may differ from the commit.
  const uncommitted = commit ? git('status', '--porcelain', '--', 'engine', 'common').length > 0 : null;
  const parts = ['bin', 'node_modules', 'lib', 'bench-cli.mjs', 'train-cli.mjs', 'run.sh', 'torch_bench.py', ...(data ? ['data'] : [])];
  const sizes = Object.fromEntries(parts.map((p) => [p, sizeOf(join(out, p))]));
  writeFileSync(join(out, MARKER), `${JSON.stringify({
    builtAt: new Date().toISOString(), commit, uncommittedEngineChanges: uncommitted, node: process.version, nodeStripped: opts.strip, xzLevel: opts.xzLevel,
    data: data && !relative(root, data).startsWith('../..') ? relative(root, data) : data, sizes,
  }, null, 2)}\n`);

  const total = sizeOf(out);
  for (const [part, bytes] of Object.entries(sizes)) console.log(`  ${part.padEnd(14)} ${mib(bytes).padStart(10)}`);
  console.log(`bench:bundle: total ${mib(total)} (${total} bytes; limit ${opts.maxMiB} MiB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (total > opts.maxMiB * MiB) {
    throw new BundleError(`${out} is ${mib(total)}, over the ${opts.maxMiB} MiB limit by ${mib(total - opts.maxMiB * MiB)}`);
  }
  console.log(`bench:bundle: copy ${out} to the GPU server and run: ./run.sh OUTDIR [--data DIR]`);
}

try {
  await main();
} catch (error) {
  if (!(error instanceof BundleError)) throw error;
  console.error(`bench:bundle: ${error.message}`);
  process.exit(1);
}

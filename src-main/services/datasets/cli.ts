/**
 * `npm run dataset -- <command> <name> [options]` — the dataset service from a terminal.
 *
 *   fetch <name>               download what is missing (progress bar on a TTY, plain lines otherwise)
 *   verify <name>              re-hash every file; corrupt ones are deleted (exit 1)
 *   path <name>                print the dataset's folder
 *   import <name> <file...>    import IDX files (.gz or raw); unknown files become custom dataset <name>
 *   delete <name>              remove the dataset's folder
 *   status [name]              the start-up check, for one dataset or all
 * Options: --mirror URL (repeatable; replaces the mirror list), --cache DIR (default: the OS cache folder).
 * Env: LAYERLAB_MIRRORS (see catalogue.ts). Ctrl-C cancels; the next fetch resumes.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultDataDir } from '../data-dir';
import type { DatasetStatus } from './cache';
import { DatasetError } from './errors';
import { DatasetService, type DatasetProgress } from './service';

export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
  env: Record<string, string | undefined>;
  /** Ctrl-C wiring; the default hooks SIGINT. */
  onInterrupt?: (cancel: () => void) => void;
}

const USAGE = `usage: npm run dataset -- <fetch|verify|path|import|delete|status> <name> [file...] [--mirror URL] [--cache DIR]`;

/** The default dataset cache: <OS cache folder>/datasets. */
export function defaultDatasetsDir(): string {
  return join(defaultDataDir(), 'datasets');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

function bar(p: DatasetProgress, width = 24): string {
  const frac = p.total ? p.bytes / p.total : 1;
  const filled = Math.round(frac * width);
  const eta = p.etaSeconds === null ? '' : ` ETA ${Math.ceil(p.etaSeconds)}s`;
  const speed = p.speed ? ` ${formatBytes(p.speed)}/s` : '';
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% ${formatBytes(p.bytes)}/${formatBytes(p.total)}${speed}${eta} ${p.file}`;
}

function describeStatus(s: DatasetStatus): string {
  const lines = [`${s.name} (${s.kind}): ${s.state}  ${s.dir}`];
  for (const f of s.files) lines.push(`  ${f.state.padEnd(9)} ${f.file}${f.detail ? `  (${f.detail})` : ''}`);
  if (s.note) lines.push(`  note: ${s.note}`);
  if (s.downloadBytes) lines.push(`  to download: ${formatBytes(s.downloadBytes)}`);
  return lines.join('\n');
}

export function parseArgs(argv: string[]): { command?: string; positional: string[]; mirrors: string[]; cache?: string } {
  const positional: string[] = [];
  const mirrors: string[] = [];
  let cache: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--mirror' || a === '--cache') {
      const v = argv[++i];
      if (!v) throw new DatasetError('invalid-import', `${a} needs a value\n${USAGE}`);
      if (a === '--mirror') mirrors.push(v);
      else cache = v;
    } else if (a.startsWith('--mirror=')) mirrors.push(a.slice(9));
    else if (a.startsWith('--cache=')) cache = a.slice(8);
    else positional.push(a);
  }
  return { command: positional[0], positional: positional.slice(1), mirrors, cache };
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(argv);
  } catch (err) {
    io.err((err as Error).message);
    return 2;
  }
  const { command, positional, mirrors } = args;
  const name = positional[0];
  const needsName = command !== 'status';
  if (!command || !['fetch', 'verify', 'path', 'import', 'delete', 'status'].includes(command) || (needsName && !name)) {
    io.err(USAGE);
    return 2;
  }
  const service = new DatasetService({ cacheDir: args.cache ?? defaultDatasetsDir(), env: io.env });
  try {
    switch (command) {
      case 'path':
        io.out(service.path(name));
        return 0;
      case 'status':
        for (const s of name ? [await service.status(name)] : await service.list()) io.out(describeStatus(s));
        return 0;
      case 'fetch': {
        const controller = new AbortController();
        io.onInterrupt?.(() => controller.abort());
        const list = service.mirrors(name, mirrors.length ? mirrors : undefined);
        io.out(`Fetching ${name} from ${list.join(' then ')}`);
        let lastFile = '';
        let drawn = false;
        service.on('mirror-error', (e) => {
          if (drawn) io.err('');
          drawn = false;
          io.err(`  ${e.file}: ${e.mirror} failed (${e.reason}); trying the next mirror`);
        });
        const status = await service.fetch(name, {
          signal: controller.signal,
          mirrors: mirrors.length ? mirrors : undefined,
          onProgress: (p) => {
            if (io.isTTY) {
              io.err(`\r${bar(p)}\x1b[K`);
              drawn = true;
            } else if (p.fileBytes === p.fileTotal && p.file !== lastFile) {
              lastFile = p.file;
              io.out(`  ${p.file} ${formatBytes(p.fileTotal)} ok (${Math.round((100 * p.bytes) / (p.total || 1))}% overall)`);
            }
          },
        });
        if (drawn) io.err('\n');
        io.out(describeStatus(status));
        return status.state === 'ready' ? 0 : 1;
      }
      case 'verify': {
        const result = await service.verify(name);
        for (const f of result.files) io.out(`  ${f.state.padEnd(9)} ${f.file}${f.detail ? `  (${f.detail})` : ''}`);
        io.out(result.ok ? `${name}: all files verified` : `${name}: not ok; run fetch (or import) to replace the files`);
        return result.ok ? 0 : 1;
      }
      case 'import': {
        const files = positional.slice(1);
        if (files.length === 0) {
          io.err(`import needs files: npm run dataset -- import ${name} path/to/train-images-idx3-ubyte.gz ...`);
          return 2;
        }
        const result = await service.import(files, { name });
        if (result.dataset !== name) io.out(`Recognised the files as ${result.dataset}.`);
        io.out(describeStatus(result.status));
        return 0;
      }
      case 'delete':
        await service.delete(name);
        io.out(`Deleted ${service.path(name)}`);
        return 0;
    }
  } catch (err) {
    if (err instanceof DatasetError) {
      io.err(`\n${err.message}`);
      for (const d of err.details) io.err(`  ${d}`);
      if (err.code === 'cancelled') io.err('Run fetch again to resume.');
      return 1;
    }
    throw err;
  }
  return 2;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await main(process.argv.slice(2), {
    out: (t) => process.stdout.write(t + '\n'),
    err: (t) => process.stderr.write(t.startsWith('\r') || t === '\n' ? t : t + '\n'),
    isTTY: !!process.stderr.isTTY,
    env: process.env,
    onInterrupt: (cancel) => process.once('SIGINT', cancel),
  });
  process.exitCode = code;
}

/**
 * Writes engine/model-spec/fixtures/build-snapshot.json: what the engine builds from each snapshot spec (build-snapshot.ts).
 * A snapshot already there is kept as it was taken (the classifiers' from before the registry refactor, #18); a spec
 * without one gets one now. `--all` retakes every one, for a deliberate change of what the engine builds.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { snapshot, SNAPSHOT_SPECS, type BuildSnapshot } from '../engine/model-spec/build-snapshot';

const file = new URL('../engine/model-spec/fixtures/build-snapshot.json', import.meta.url);
const kept: Record<string, BuildSnapshot> = existsSync(file) && !process.argv.includes('--all') ? JSON.parse(readFileSync(file, 'utf8')) : {};
const out = Object.fromEntries(Object.entries(SNAPSHOT_SPECS).map(([name, spec]) => [name, kept[name] ?? snapshot(spec)]));
writeFileSync(file, `${JSON.stringify(out)}\n`);
const added = Object.keys(out).filter((name) => !kept[name]);
console.log(`wrote ${Object.keys(out).length} snapshots (new: ${added.join(', ') || 'none'})`);

/** Writes engine/model-spec/fixtures/build-snapshot.json: what the engine builds from each snapshot spec (build-snapshot.ts). */
import { writeFileSync } from 'node:fs';
import { snapshot, SNAPSHOT_SPECS } from '../engine/model-spec/build-snapshot';

const out = Object.fromEntries(Object.entries(SNAPSHOT_SPECS).map(([name, spec]) => [name, snapshot(spec)]));
writeFileSync(new URL('../engine/model-spec/fixtures/build-snapshot.json', import.meta.url), `${JSON.stringify(out)}\n`);
console.log(`wrote ${Object.keys(out).length} snapshots`);

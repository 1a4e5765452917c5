import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { snapshot, SNAPSHOT_SPECS, type BuildSnapshot } from './build-snapshot';

// Taken before the catalogue became the registry (#18): the same specs must keep building the same models.
const before = JSON.parse(readFileSync(new URL('./fixtures/build-snapshot.json', import.meta.url), 'utf8')) as Record<string, BuildSnapshot>;

describe('the engine builds what it built before the registry refactor', () => {
  it('covers every snapshot spec', () => expect(Object.keys(before).sort()).toEqual(Object.keys(SNAPSHOT_SPECS).sort()));
  for (const [name, spec] of Object.entries(SNAPSHOT_SPECS)) {
    it(`${name}: parameter shapes, forward pass, losses, optimizer steps and schedules`, () => {
      expect(snapshot(spec)).toEqual(before[name]);
    });
  }
});

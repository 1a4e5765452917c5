import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { snapshot, SNAPSHOT_SPECS, type BuildSnapshot } from './build-snapshot';

// Taken before the catalogue became the registry (#18), the Autoencoder's when it came: the same specs must keep
// building the same models.
const before = JSON.parse(readFileSync(new URL('./fixtures/build-snapshot.json', import.meta.url), 'utf8')) as Record<string, BuildSnapshot>;

describe('the engine builds what it built before the registry refactor', () => {
  it('covers every snapshot spec', () => expect(Object.keys(before).sort()).toEqual(Object.keys(SNAPSHOT_SPECS).sort()));
  for (const [name, spec] of Object.entries(SNAPSHOT_SPECS)) {
    it(`${name}: parameter shapes, forward pass, losses, optimizer steps and schedules`, () => {
      // Pieces added to the catalogue since (#18's new losses and optimizers) have no 'before': compare the rest.
      const got = snapshot(spec), want = before[name];
      const only = <T>(o: Record<string, T>, like: object) => Object.fromEntries(Object.keys(like).map((k) => [k, o[k]]));
      expect({ ...got, losses: only(got.losses, want.losses), steps: only(got.steps, want.steps), schedules: only(got.schedules, want.schedules) })
        .toEqual(want);
    });
  }
});

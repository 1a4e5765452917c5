/**
 * Regenerates common/model-spec/fixtures/twin-augment.json: what the PyTorch twin's augmentation code (its very lines,
 * common/model-spec/twin-augment.ts) computes under a real PyTorch on the cases of
 * scripts/twin-augment-cases.ts, so twin-augment.test.ts can hold the app to it in CI without
 * PyTorch.
 *
 *   npx tsx scripts/twin-augment-fixture.ts [--python /usr/bin/python3]
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { codeDigest, runTwin, torchMissing } from './twin-augment-cases';

const at = process.argv.indexOf('--python');
const python = at >= 0 ? process.argv[at + 1] : '/usr/bin/python3';
const missing = torchMissing(python);
if (missing) {
  console.error(`cannot write the fixture: ${missing}`);
  process.exit(1);
}
const answers = runTwin(python);
// 8 significant digits: far below the 1e-5 the test allows, and a third of the size.
const round = (values: number[]) => values.map((v) => Number(v.toPrecision(8)));
const fixture = {
  note: 'written by scripts/twin-augment-fixture.ts: the twin\'s augmentation under PyTorch',
  codeSha256: codeDigest(),
  torch: answers.torch,
  identity: round(answers.identity),
  fixed: round(answers.fixed),
  fixedElastic: round(answers.fixedElastic),
  augment: round(answers.augment),
  blur: answers.blur,
  elasticStd: answers.elasticStd,
};
const out = join(resolve(import.meta.dirname, '..'), 'common/model-spec/fixtures/twin-augment.json');
writeFileSync(out, `${JSON.stringify(fixture)}\n`);
console.log(`wrote ${out} (torch ${answers.torch})`);

/** Entry of `npm run train -- ...` (see train.ts and --help). */
import { runTrain } from './train';

process.exitCode = runTrain(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  clock: () => performance.now(),
});

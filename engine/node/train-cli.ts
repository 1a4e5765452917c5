/** Entry of `npm run train -- ...` (see train.ts and --help): registers this machine's backends, then trains. */
import { registerNodeBackends } from './backends';
import { runTrain } from './train';

void (async () => {
  const backends = await registerNodeBackends({ gpujs: true });
  process.exitCode = runTrain(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    clock: () => performance.now(),
  });
  backends.dispose();
})();

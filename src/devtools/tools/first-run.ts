import { runFirstRun } from '../first-run/run-first-run';

runFirstRun((line) => console.log(line)).catch((error: unknown) => {
  console.error(`first run failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

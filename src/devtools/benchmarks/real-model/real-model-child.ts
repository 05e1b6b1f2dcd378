/** The process `bench:real` spawns for one size: runs the generation and prints its report as one JSON line. */
import { runRealModel, type RealRunOptions } from './real-model-run';

export const REPORT_PREFIX = 'BENCH_REAL_REPORT ';

if (require.main === module) {
  const options = JSON.parse(process.argv[2] ?? '{}') as RealRunOptions;
  runRealModel(options).then(
    (report) => {
      process.stdout.write(`${REPORT_PREFIX}${JSON.stringify(report)}\n`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

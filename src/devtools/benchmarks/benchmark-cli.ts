/** The shared entry of the benchmark commands: --help, argument errors (exit 2), failures (exit 1). */

import { UsageError } from './api-benchmark-support';

export function runBenchmarkCli<T>(name: string, usage: string, parse: (argv: readonly string[]) => T, run: (options: T) => Promise<void>): void {
  const argv = process.argv.slice(2);
  if (argv.some((a) => a === '--help' || a === '-h')) {
    console.log(usage);
    return;
  }
  let options: T;
  try {
    options = parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n${usage}`);
    process.exitCode = 2;
    return;
  }
  run(options).catch((error: unknown) => {
    console.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  });
}

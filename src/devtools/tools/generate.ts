import { runGenerate } from '../generate-command/run-generate';

void runGenerate(process.argv.slice(2), { out: (line) => console.log(line), progress: process.stderr }).then((code) => {
  process.exitCode = code;
});

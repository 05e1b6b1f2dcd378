import { runGenerateModels } from '../../model-generator/run-generate-models';

process.exitCode = runGenerateModels(process.argv.slice(2), (line) => console.log(line));

import { runCheckModels } from '../model-check/run-check-models';

process.exitCode = runCheckModels(process.argv.slice(2), (text) => console.log(text));

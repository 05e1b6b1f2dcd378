import { runCreateKey } from '../../auth/create-key-command';

process.exitCode = runCreateKey(process.argv.slice(2), (text) => console.log(text));

/**
 * `npm run keys:create -- --name acme [--tier partner] [--role admin]`: makes a new API key, prints it
 * once (hand it to the client) and the keys-file entry that stores only its SHA-256.
 */
import { generateApiKey, hashApiKey, ROLES, type ApiKeyEntry, type Role } from './api-keys';
import { DEFAULT_TIERS } from './tiers';

export const CREATE_KEY_USAGE = `usage: npm run keys:create -- --name NAME [--tier ${Object.keys(DEFAULT_TIERS).join('|')}] [--role admin]`;

export function runCreateKey(argv: readonly string[], print: (text: string) => void, key = generateApiKey()): number {
  const options: { name?: string; tier: string; roles: Role[] } = { tier: 'standard', roles: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--')) return usage(print, `${flag} needs a value`);
    if (flag === '--name') options.name = value;
    else if (flag === '--tier') options.tier = value;
    else if (flag === '--role' && (ROLES as readonly string[]).includes(value)) options.roles.push(value as Role);
    else return usage(print, `unknown argument ${flag} ${value}`);
  }
  if (!options.name || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(options.name)) return usage(print, '--name must be 1 to 64 letters, digits, ".", "_" or "-"');
  const entry: ApiKeyEntry = { name: options.name, tier: options.tier, roles: options.roles, sha256: hashApiKey(key) };
  print(`API key for ${options.name} (shown once; the server stores only its hash):\n\n  ${key}\n`);
  print(`Add this entry to the "keys" array of your keys file (AFD_API_KEYS_FILE):\n\n  ${JSON.stringify(entry)}\n`);
  if (!(options.tier in DEFAULT_TIERS)) print(`Tier "${options.tier}" is not built in: define it under "tiers" in the keys file.`);
  return 0;
}

function usage(print: (text: string) => void, problem: string): number {
  print(`${problem}\n${CREATE_KEY_USAGE}`);
  return 2;
}

import { ApiKeyStore } from './api-keys';
import { parseKeysDocument } from './auth-config';
import { runCreateKey } from './create-key-command';

describe('keys:create', () => {
  it('prints a key once and an entry holding only its hash, which the server accepts', () => {
    const lines: string[] = [];
    expect(runCreateKey(['--name', 'acme', '--tier', 'partner', '--role', 'admin'], (t) => lines.push(t), 'afd_test-key')).toBe(0);
    const output = lines.join('\n');
    expect(output).toContain('afd_test-key');
    const entryLine = output.split('\n').find((l) => l.trim().startsWith('{')) as string;
    expect(entryLine).not.toContain('afd_test-key');
    const { keys } = parseKeysDocument(JSON.stringify({ keys: [JSON.parse(entryLine)] }), 'test');
    expect(new ApiKeyStore(keys).authenticate('afd_test-key')).toEqual({ clientId: 'acme', tier: 'partner', roles: ['admin'], authenticated: true });
  });

  it.each([[[]], [['--name']], [['--name', 'bad name']], [['--name', 'a', '--role', 'root']], [['--colour', 'red']]])('refuses %j with usage and exit 2', (argv) => {
    const lines: string[] = [];
    expect(runCreateKey(argv, (t) => lines.push(t))).toBe(2);
    expect(lines.join('\n')).toMatch(/usage: npm run keys:create/);
  });
});

describe('keys:create with webhooks', () => {
  it('prints a signing secret the server accepts, and a default webhook when asked', () => {
    const lines: string[] = [];
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    expect(runCreateKey(['--name', 'acme', '--webhook-url', 'https://hooks.example.com/afd', '--webhook-events', 'succeeded,failed'], (t) => lines.push(t), 'afd_test-key', secret)).toBe(0);
    const output = lines.join('\n');
    const entryLine = output.split('\n').find((l) => l.trim().startsWith('{')) as string;
    const { keys } = parseKeysDocument(JSON.stringify({ keys: [JSON.parse(entryLine)] }), 'test');
    expect(new ApiKeyStore(keys).entry('acme')).toMatchObject({ webhookSecret: secret, webhook: { url: 'https://hooks.example.com/afd', events: ['succeeded', 'failed'] } });
  });

  it.each([
    [['--name', 'a', '--webhook-url', 'ftp://example.com/'], /^--webhook-url must be an http or https URL/],
    [['--name', 'a', '--webhook-url', 'https://example.com/', '--webhook-events', 'done'], /^--webhook-events must be a non-empty array/],
    [['--name', 'a', '--webhook-events', 'failed'], /--webhook-events needs --webhook-url/],
  ])('refuses %j, saying why', (argv, why) => {
    const lines: string[] = [];
    expect(runCreateKey(argv, (t) => lines.push(t))).toBe(2);
    expect(lines.join('\n')).toMatch(why);
  });
});

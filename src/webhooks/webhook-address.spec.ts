/** Resolving a webhook's host: every address it resolves to is checked (a name given one private address among public ones is refused). */
import { resolveWebhookAddress, WebhookAddressError, type AddressLookup } from './webhook-address';

const rules = { allowPrivate: false, allowedHosts: [] as string[] };
const resolvesTo =
  (...addresses: string[]): AddressLookup =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('resolveWebhookAddress', () => {
  it('answers the first address of a name whose addresses are all public', async () => {
    await expect(resolveWebhookAddress(new URL('https://hooks.example.com/x'), rules, resolvesTo('93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'))).resolves.toEqual({ address: '93.184.215.14', family: 4 });
  });

  it('refuses a name with one private address among public ones', async () => {
    await expect(resolveWebhookAddress(new URL('https://hooks.example.com/x'), rules, resolvesTo('93.184.215.14', '10.0.0.5'))).rejects.toThrow(/10\.0\.0\.5 is a private address \(hooks\.example\.com resolves to it\)/);
  });

  it('refuses a name that does not resolve, saying so', async () => {
    const nowhere: AddressLookup = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    await expect(resolveWebhookAddress(new URL('https://nowhere.invalid/'), rules, nowhere)).rejects.toThrow(new WebhookAddressError('host nowhere.invalid does not resolve'));
  });

  it('lets an allowed host (or every host with allowPrivate) reach a private address', async () => {
    await expect(resolveWebhookAddress(new URL('http://hooks.internal/x'), { allowPrivate: false, allowedHosts: ['hooks.internal'] }, resolvesTo('10.1.2.3'))).resolves.toEqual({ address: '10.1.2.3', family: 4 });
    await expect(resolveWebhookAddress(new URL('http://[::1]:8080/x'), { allowPrivate: true, allowedHosts: [] })).resolves.toEqual({ address: '::1', family: 6 });
  });

  it('checks literal addresses without a lookup, in any notation the URL parser normalises', async () => {
    const never: AddressLookup = async () => {
      throw new Error('no lookup expected');
    };
    await expect(resolveWebhookAddress(new URL('http://2130706433/'), rules, never)).rejects.toThrow(/127\.0\.0\.1 is a loopback address/);
    await expect(resolveWebhookAddress(new URL('http://[::ffff:a9fe:a9fe]/'), rules, never)).rejects.toThrow(/IPv4-mapped/);
  });
});

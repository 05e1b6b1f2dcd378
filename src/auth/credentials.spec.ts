import { presentedApiKey, type CredentialSource } from './credentials';

const headers = (values: Record<string, unknown>): CredentialSource => (name) => values[name];
const basic = (text: string): string => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`;

describe('presentedApiKey', () => {
  it('reads Bearer, X-API-Key (first), and the password of Basic credentials', () => {
    expect(presentedApiKey(headers({ authorization: 'Bearer afd_k' }))).toBe('afd_k');
    expect(presentedApiKey(headers({ 'x-api-key': ' afd_x ', authorization: 'Bearer afd_k' }))).toBe('afd_x');
    expect(presentedApiKey(headers({ authorization: basic('webui:afd_k') }))).toBe('afd_k');
    // RFC 7617: the user name ends at the first colon, so a password may hold colons.
    expect(presentedApiKey(headers({ authorization: basic(':afd:k') }))).toBe('afd:k');
    expect(presentedApiKey(headers({}))).toBeUndefined();
  });

  it('counts malformed credentials as a bad key, never as none', () => {
    for (const authorization of ['Basic', 'Basic !!!', basic('no-colon'), 'Digest x', 'Bearer', 'Bearer a b']) {
      expect({ authorization, key: presentedApiKey(headers({ authorization })) }).toEqual({ authorization, key: '' });
    }
  });
});

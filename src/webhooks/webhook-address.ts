/**
 * Where a webhook may be delivered: the URL's host, resolved, must be a public address unless the
 * configuration allows private ones (AFD_WEBHOOK_ALLOW_PRIVATE) or names the host
 * (AFD_WEBHOOK_ALLOWED_HOSTS). Checked when a request names the webhook and again at every attempt,
 * and the attempt connects to the very address checked, so a name that resolves elsewhere later
 * (DNS rebinding) reaches nothing unchecked.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { WebhookSettings } from '../config/webhook-config';
import { nonPublicReason } from './address-policy';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

export type AddressLookup = (hostname: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

export const systemLookup: AddressLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Why the host may not be called; thrown with a message fit to show the client. */
export class WebhookAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookAddressError';
  }
}

type AddressRules = Pick<WebhookSettings, 'allowPrivate' | 'allowedHosts'>;

/** A resolver that does not answer in this long is a name that does not resolve: a request never waits on DNS longer. */
const LOOKUP_TIMEOUT_MS = 5000;

function withinTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('lookup timed out')), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The address to connect to for `url`, every address of its host checked; throws WebhookAddressError. */
export async function resolveWebhookAddress(url: URL, rules: AddressRules, lookup: AddressLookup = systemLookup): Promise<ResolvedAddress> {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const allowed = rules.allowPrivate || rules.allowedHosts.includes(host.toLowerCase());
  const literal = isIP(host);
  let addresses: ReadonlyArray<{ address: string; family: number }>;
  if (literal !== 0) addresses = [{ address: host, family: literal }];
  else {
    try {
      addresses = await withinTimeout(lookup(host), LOOKUP_TIMEOUT_MS);
    } catch {
      throw new WebhookAddressError(`host ${host.slice(0, 100)} does not resolve`);
    }
    if (addresses.length === 0) throw new WebhookAddressError(`host ${host.slice(0, 100)} does not resolve`);
  }
  if (!allowed) {
    // Every address must be public: a name with one private address among public ones could be pointed at it.
    for (const { address } of addresses) {
      const reason = nonPublicReason(address);
      if (reason !== undefined) {
        const via = literal !== 0 ? '' : ` (${host.slice(0, 100)} resolves to it)`;
        throw new WebhookAddressError(`${address} is a ${reason} address${via}; only public addresses may receive webhooks (AFD_WEBHOOK_ALLOW_PRIVATE, AFD_WEBHOOK_ALLOWED_HOSTS)`);
      }
    }
  }
  const first = addresses[0] as { address: string; family: number };
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/**
 * How much an `Accept` header wants one media type (RFC 9110 §12.5.1): the q-value of the most
 * specific range that matches it (an exact type over `image/` with a wildcard subtype over the full
 * wildcard), 0 when none does.
 * Enough for an API that answers one of a few known types; parameters other than q are ignored.
 */

export interface Preference {
  /** 0 (not acceptable) to 1. */
  readonly q: number;
  /** 3 for an exact type, 2 for a wildcard subtype, 1 for the full wildcard, 0 when no range matched. */
  readonly specificity: number;
}

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
}

/** At most this many ranges are read: a header is short, and a hostile one must not cost more. */
const MAX_RANGES = 64;

export function preference(accept: string, mediaType: string): Preference {
  const [type, subtype] = mediaType.toLowerCase().split('/');
  let best: Preference = { q: 0, specificity: 0 };
  for (const range of parseAccept(accept)) {
    const specificity = range.type === type && range.subtype === subtype ? 3 : range.type === type && range.subtype === '*' ? 2 : range.type === '*' && range.subtype === '*' ? 1 : 0;
    if (specificity > best.specificity) best = { q: range.q, specificity };
  }
  return best;
}

function parseAccept(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of accept.split(',', MAX_RANGES)) {
    const [media = '', ...parameters] = part.split(';');
    const match = /^\s*([!#$%&'*+.^_`|~\w-]+)\/([!#$%&'*+.^_`|~\w-]+)\s*$/.exec(media);
    if (!match) continue;
    let q = 1;
    for (const parameter of parameters) {
      const qMatch = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(parameter);
      if (qMatch) q = Math.min(1, Number(qMatch[1]));
    }
    ranges.push({ type: (match[1] as string).toLowerCase(), subtype: (match[2] as string).toLowerCase(), q });
  }
  return ranges;
}

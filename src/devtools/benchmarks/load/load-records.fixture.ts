/** Records of a small burst as the load client reports them, for the specs of bench:load's tallies. */
import { CLIENT_ERROR, NOT_SENT, type ArrivalRecord } from './load-protocol';

export const RECORDS: ArrivalRecord[] = [
  { index: 3, lagMs: 4, status: 429, sentAt: 100, ms: 9, code: 'RESOURCE_EXHAUSTED', retryAfter: true },
  { index: 0, lagMs: 1, status: 202, ms: 3, id: 'a' },
  { index: 1, lagMs: 2, status: 429, sentAt: 98, ms: 2, code: 'RESOURCE_EXHAUSTED', retryAfter: false },
  { index: 2, lagMs: 3, status: NOT_SENT },
  { index: 4, lagMs: 5, status: CLIENT_ERROR, ms: 1, detail: 'socket hang up' },
  { index: 5, lagMs: 6, status: 500, ms: 7, detail: '{"code":"INTERNAL"}' },
  { index: 6, lagMs: 7, status: 202, ms: 5, id: 'b' },
];

/**
 * The subscribers of `npm run bench:fanout`: server-sent events over plain HTTP and graphql-ws over
 * `ws`, each either reading (it counts progress events, repeated steps and bytes until done) or slow
 * (it pauses its socket after the first event and never reads again, as a stalled client does).
 */
import { request } from 'node:http';
import WebSocket from 'ws';

export interface SubscriberCounts {
  progressEvents: number;
  repeatedSteps: number;
  bytes: number;
  done: boolean;
}

export interface Subscriber {
  readonly counts: SubscriberCounts;
  /** Settles at the first event (the state at subscription); rejects when the stream could not open. */
  readonly opened: Promise<void>;
  /** Settles at done (never for a slow one). */
  readonly finished: Promise<void>;
  close(): void;
}

interface Hooks {
  resolveOpened(): void;
  rejectOpened(error: Error): void;
  resolveFinished(): void;
}

function hooks(): { opened: Promise<void>; finished: Promise<void>; hooks: Hooks } {
  let resolveOpened!: () => void;
  let rejectOpened!: (error: Error) => void;
  let resolveFinished!: () => void;
  const opened = new Promise<void>((resolve, reject) => ((resolveOpened = resolve), (rejectOpened = reject)));
  const finished = new Promise<void>((resolve) => (resolveFinished = resolve));
  // A failed open is reported through `opened`; `finished` then never settles.
  opened.catch(() => undefined);
  return { opened, finished, hooks: { resolveOpened, rejectOpened, resolveFinished } };
}

/** Counts one event of a stream; true at done. */
function count(counts: SubscriberCounts, seen: Set<number>, kind: 'progress' | 'done', step: number): boolean {
  if (kind === 'done') {
    counts.done = true;
    return true;
  }
  counts.progressEvents++;
  if (step > 0 && seen.has(step)) counts.repeatedSteps++;
  seen.add(step);
  return false;
}

export function openSse(baseUrl: string, apiKey: string, id: string, slow: boolean): Subscriber {
  const counts: SubscriberCounts = { progressEvents: 0, repeatedSteps: 0, bytes: 0, done: false };
  const { opened, finished, hooks: h } = hooks();
  const seen = new Set<number>();
  const req = request(`${baseUrl}/v1/generations/${id}/events`, { headers: { 'x-api-key': apiKey, accept: 'text/event-stream' }, agent: false }, (res) => {
    if (res.statusCode !== 200) {
      h.rejectOpened(new Error(`SSE answered ${res.statusCode}`));
      res.resume();
      return;
    }
    res.setEncoding('utf8');
    let text = '';
    let first = true;
    res.on('data', (chunk: string) => {
      counts.bytes += chunk.length;
      if (first) {
        first = false;
        h.resolveOpened();
        // A slow reader stops here: the server's writes pile up in the kernel, then in its own buffer.
        if (slow) return res.pause();
      }
      text += chunk;
      let end;
      while ((end = text.indexOf('\n\n')) >= 0) {
        const block = text.slice(0, end);
        text = text.slice(end + 2);
        const kind = block.startsWith('event: done') ? 'done' : 'progress';
        const step = Number(/"step":(\d+)/.exec(block)?.[1] ?? 0);
        if (count(counts, seen, kind, step)) h.resolveFinished();
      }
    });
    res.on('error', () => undefined);
  });
  req.on('error', (error) => h.rejectOpened(error));
  req.end();
  return { counts, opened, finished, close: () => req.destroy() };
}

const SUBSCRIPTION = 'subscription ($id: ID!) { generationEvents(id: $id) { kind step totalSteps status } }';

export function openGraphqlWs(baseUrl: string, apiKey: string, id: string, slow: boolean): Subscriber {
  const counts: SubscriberCounts = { progressEvents: 0, repeatedSteps: 0, bytes: 0, done: false };
  const { opened, finished, hooks: h } = hooks();
  const seen = new Set<number>();
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', { headers: { 'x-api-key': apiKey } });
  let first = true;
  socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { apiKey } })));
  socket.on('message', (data: Buffer) => {
    counts.bytes += data.length;
    const message = JSON.parse(data.toString('utf8')) as { type: string; payload?: { data?: { generationEvents?: { kind: string; step: number } } } };
    if (message.type === 'connection_ack') {
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBSCRIPTION, variables: { id } } }));
      return;
    }
    if (message.type === 'error' || (message.type === 'next' && !message.payload?.data?.generationEvents)) {
      h.rejectOpened(new Error(`graphql-ws: ${JSON.stringify(message.payload)}`));
      return;
    }
    if (message.type !== 'next') return;
    const event = message.payload?.data?.generationEvents as { kind: string; step: number };
    if (first) {
      first = false;
      h.resolveOpened();
      if (slow) socket.pause();
    }
    if (count(counts, seen, event.kind === 'DONE' ? 'done' : 'progress', event.step)) h.resolveFinished();
  });
  socket.on('error', (error) => h.rejectOpened(error));
  socket.on('close', (code) => h.rejectOpened(new Error(`graphql-ws closed (${code})`)));
  return { counts, opened, finished, close: () => socket.terminate() };
}

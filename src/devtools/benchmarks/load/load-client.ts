/**
 * The load client of `npm run bench:load`, forked by it (load-client-process.ts) so that its work
 * (sending, timing, polling, its garbage) stays out of the server's event loop and memory. It takes
 * commands over IPC (load-protocol.ts):
 * - capacity: warm-up, then a closed loop of `--concurrency` synchronous `POST /v1/generations` for
 *   `--capacity-seconds` → requests/s;
 * - burst: open-loop arrivals (the seeded schedule of load-benchmark-support.ts) at the given rate,
 *   each a `POST /v1/generations` with `Prefer: respond-async`, at most `--max-in-flight` open; the
 *   accepted jobs are followed (load-completion.ts) until each has ended or the drain budget is spent;
 * - collect: the per-arrival records, the jobs' outcomes, the client's own figures.
 */
import { CompletionWatcher, type Accepted } from './load-completion';
import { arrivalSchedule, seededRandom, type LoadBenchOptions } from './load-benchmark-support';
import { generationBody, HttpClient, parseJson, PROMPTS } from './load-http';
import { clientSockets } from './load-measures';
import { findGc, startProbe } from './load-probe';
import { ARRIVAL_HEADER, batches, CLIENT_ERROR, isToClient, NOT_SENT, RECORD_BATCH, type ArrivalRecord, type BurstSummary, type CapacityResult, type FromClient, type ToClient } from './load-protocol';
import { nowMs } from '../timing';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Session {
  readonly client: HttpClient;
  readonly options: LoadBenchOptions;
  readonly records: ArrivalRecord[];
  readonly accepted: Accepted[];
  burst?: BurstSummary;
  watcher?: CompletionWatcher;
}

async function measureCapacity(session: Session, onWarmedUp: () => void): Promise<CapacityResult> {
  const { client, options } = session;
  let next = 0;
  const latencyMs: number[] = [];
  const one = async (): Promise<number> => {
    const answer = await client.send('POST', '/v1/generations', generationBody(options, next++));
    if (answer.status !== 201) throw new Error(`capacity phase: POST /v1/generations answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    return answer.ms;
  };
  // Warm-up: two rounds at the same concurrency (sessions, batch sizes, connections).
  await Promise.all(Array.from({ length: options.concurrency }, async () => {
    await one();
    await one();
  }));
  onWarmedUp();
  const start = nowMs();
  const until = start + options.capacitySeconds * 1000;
  let completed = 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (nowMs() < until) {
        latencyMs.push(await one());
        completed++;
      }
    }),
  );
  const elapsedMs = nowMs() - start;
  return { perSecond: completed / (elapsedMs / 1000), completed, elapsedMs, latencyMs, next };
}

/** Sends the arrivals on schedule and records each answer; resolves once every sent request is answered. */
async function burst(session: Session, ratePerSecond: number, first: number, onAccepted: () => void): Promise<BurstSummary> {
  const { client, options, records, accepted } = session;
  const schedule = arrivalSchedule(ratePerSecond, options.seconds, options.arrivals, seededRandom(options.seed));
  let open = 0;
  let maxOpen = 0;
  let sent = 0;
  let notSent = 0;
  const inFlight = new Set<Promise<void>>();

  const fire = (index: number, lagMs: number): void => {
    if (open >= options.maxInFlight) {
      notSent++;
      records.push({ index, lagMs, status: NOT_SENT });
      return;
    }
    open++;
    sent++;
    maxOpen = Math.max(maxOpen, open);
    const p = client
      .send('POST', '/v1/generations', generationBody(options, first + index), { prefer: 'respond-async', [ARRIVAL_HEADER]: String(index) })
      .then((answer) => {
        const base = { index, lagMs, status: answer.status, sentAt: answer.sentAt, ms: answer.ms };
        if (answer.status === 202) {
          const id = parseJson(answer.body)['id'];
          if (typeof id !== 'string') throw new Error(`a 202 answer without an id: ${answer.body.slice(0, 200)}`);
          records.push({ ...base, id });
          accepted.push({ id });
          onAccepted();
        } else if (answer.status === 429) {
          records.push({ ...base, code: String(parseJson(answer.body)['code'] ?? '?'), retryAfter: answer.headers['retry-after'] !== undefined });
        } else {
          records.push({ ...base, detail: answer.body.slice(0, 300) });
        }
      })
      .catch((error: unknown) => {
        records.push({ index, lagMs, status: CLIENT_ERROR, detail: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        open--;
        inFlight.delete(p);
      });
    inFlight.add(p);
  };

  const probe = startProbe();
  const start = nowMs();
  let next = 0;
  while (next < schedule.length) {
    const elapsed = nowMs() - start;
    while (next < schedule.length && (schedule[next] as number) <= elapsed) {
      fire(next, elapsed - (schedule[next] as number));
      next++;
    }
    if (next < schedule.length) await delay(Math.max(0, Math.min(5, (schedule[next] as number) - (nowMs() - start))));
  }
  await Promise.all([...inFlight]);
  const durationMs = nowMs() - start;
  return { scheduled: schedule.length, sent, notSent, durationMs, maxOpen, probe: probe.stop() };
}

/** The largest Content-Length of the last few succeeded jobs' images (they vary with the prompt). */
async function largestImage(session: Session): Promise<number | undefined> {
  let imageBytes: number | undefined;
  for (const a of session.accepted.filter((a) => a.outcome === 'succeeded').slice(-2 * PROMPTS.length)) {
    const image = await session.client.send('GET', `/v1/generations/${a.id}/images/0`);
    if (image.status === 200) imageBytes = Math.max(imageBytes ?? 0, Number(image.headers['content-length']));
  }
  return imageBytes;
}

const send = (message: FromClient): void => {
  process.send?.(message);
};

let session: Session | undefined;

async function handle(message: ToClient): Promise<void> {
  if (message.type === 'init') {
    const client = new HttpClient(message.baseUrl, message.apiKey, clientSockets(message.options.maxInFlight));
    session = { client, options: message.options, records: [], accepted: [] };
    send({ type: 'ready' });
    return;
  }
  if (message.type === 'exit') {
    session?.client.close();
    process.disconnect();
    return;
  }
  const s = session;
  if (!s) throw new Error(`${message.type} before init`);
  if (message.type === 'capacity') {
    const capacity = await measureCapacity(s, () => send({ type: 'warmed-up' }));
    send({ type: 'capacity', capacity });
  } else if (message.type === 'burst') {
    findGc()?.();
    const watcher = new CompletionWatcher(s.client, s.accepted);
    let deadline = Infinity;
    const watching = watcher.run(() => deadline);
    s.watcher = watcher;
    s.burst = await burst(s, message.ratePerSecond, message.firstIndex, () => watcher.notify());
    send({ type: 'arrivals-done' });
    deadline = nowMs() + message.drainBudgetMs;
    watcher.endOfArrivals();
    await watching;
    send({ type: 'drained' });
  } else if (message.type === 'collect') {
    if (!s.burst || !s.watcher) throw new Error('collect before burst');
    const imageBytes = await largestImage(s);
    for (const batch of batches(s.records, RECORD_BATCH)) send({ type: 'records', records: batch });
    const jobs = s.accepted.map((a) => ({ id: a.id, ...(a.outcome !== undefined ? { outcome: a.outcome } : {}), ...(a.error !== undefined ? { error: a.error } : {}) }));
    const maxRssBytes = process.resourceUsage().maxRSS * 1024;
    send({ type: 'collected', burst: s.burst, jobs, polls: s.watcher.polls, pollErrors: s.watcher.pollErrors, maxRssBytes, ...(imageBytes !== undefined ? { imageBytes } : {}) });
  }
}

if (!process.send) {
  console.error('load-client runs as the child of bench:load (npm run bench:load), not on its own');
  process.exitCode = 2;
} else {
  let queue = Promise.resolve();
  process.on('message', (message: unknown) => {
    if (!isToClient(message)) return;
    queue = queue
      .then(() => handle(message))
      .catch((error: unknown) => send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
  });
  // The benchmark ended or died: nothing left to answer to.
  process.on('disconnect', () => {
    session?.client.close();
    process.exit(0);
  });
}

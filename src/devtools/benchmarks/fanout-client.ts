/**
 * A child process of `npm run bench:fanout` (see fanout-protocol.ts): with the argument `subscribers`
 * it opens the progress streams and counts what they receive; with `probe` it times /health/live.
 */
import { request } from 'node:http';
import type { FromFanoutClient, KindTally, OpenCommand, ToFanoutClient } from './fanout-protocol';
import { openGraphqlWs, openSse, type Subscriber } from './fanout-streams';
import { nowMs } from './timing';

function reply(message: FromFanoutClient): void {
  process.send?.(message);
}

/** Subscribers open in waves of this many, so the server's accept queue is not overrun. */
const OPEN_WAVE = 50;

const subscribers: { kind: 'sse' | 'ws'; slow: boolean; subscriber: Subscriber }[] = [];

async function open(command: OpenCommand): Promise<void> {
  const started = nowMs();
  const plan: { kind: 'sse' | 'ws'; slow: boolean }[] = [];
  // Interleaved, so slow and reading subscribers of both kinds are spread over the fan-out's order.
  for (let i = 0; i < Math.max(command.sse, command.ws); i++) {
    if (i < command.sse) plan.push({ kind: 'sse', slow: i < command.slowSse });
    if (i < command.ws) plan.push({ kind: 'ws', slow: i < command.slowWs });
  }
  let failed = 0;
  for (let i = 0; i < plan.length; i += OPEN_WAVE) {
    const wave = plan.slice(i, i + OPEN_WAVE).map(({ kind, slow }) => ({
      kind,
      slow,
      subscriber: (kind === 'sse' ? openSse : openGraphqlWs)(command.baseUrl, command.apiKey, command.id, slow),
    }));
    const results = await Promise.allSettled(wave.map((w) => w.subscriber.opened));
    results.forEach((r, j) => {
      if (r.status === 'fulfilled') subscribers.push(wave[j] as (typeof wave)[number]);
      else {
        failed++;
        if (failed <= 3) process.stderr.write(`subscriber failed to open: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}\n`);
      }
    });
  }
  reply({ type: 'opened', ms: nowMs() - started, failed });
  const reading = subscribers.filter((s) => !s.slow);
  let timedOut = false;
  const budget = new Promise<void>((resolve) => setTimeout(() => ((timedOut = true), resolve()), command.budgetMs).unref());
  await Promise.race([Promise.all(reading.map((s) => s.subscriber.finished)), budget]);
  reply({ type: 'finished', ms: nowMs() - started, sse: tally(plan, 'sse'), ws: tally(plan, 'ws'), timedOut });
}

function tally(plan: readonly { kind: string }[], kind: 'sse' | 'ws'): KindTally {
  const ofKind = subscribers.filter((s) => s.kind === kind);
  const reading = ofKind.filter((s) => !s.slow).map((s) => s.subscriber.counts);
  return {
    opened: ofKind.length,
    failed: plan.filter((p) => p.kind === kind).length - ofKind.length,
    done: reading.filter((c) => c.done).length,
    progressEvents: reading.map((c) => c.progressEvents),
    repeatedSteps: reading.reduce((n, c) => n + c.repeatedSteps, 0),
    bytes: reading.map((c) => c.bytes),
  };
}

interface ProbeState {
  timer: NodeJS.Timeout;
  ms: number[];
  errors: number;
  /** When the request still waiting for its answer was sent. */
  inFlightSince?: number;
}

let probe: ProbeState | undefined;

function startProbe(baseUrl: string, everyMs: number): void {
  const state: ProbeState = { timer: undefined as unknown as NodeJS.Timeout, ms: [], errors: 0 };
  state.timer = setInterval(() => {
    // One at a time: a stalled server shows as one long answer, not a pile of them.
    if (state.inFlightSince !== undefined) return;
    const sent = (state.inFlightSince = nowMs());
    const req = request(`${baseUrl}/health/live`, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        state.inFlightSince = undefined;
        if (res.statusCode === 200) state.ms.push(nowMs() - sent);
        else state.errors++;
      });
    });
    req.on('error', () => {
      state.inFlightSince = undefined;
      state.errors++;
    });
    req.end();
  }, everyMs);
  probe = state;
}

/** The answers' latencies; a request still unanswered counts with the time it has waited so far. */
function stopProbe(): FromFanoutClient {
  if (!probe) return { type: 'latencies', ms: [], errors: 0, unanswered: 0 };
  clearInterval(probe.timer);
  const waiting = probe.inFlightSince;
  return { type: 'latencies', ms: waiting === undefined ? probe.ms : [...probe.ms, nowMs() - waiting], errors: probe.errors, unanswered: waiting === undefined ? 0 : 1 };
}

process.on('message', (message: ToFanoutClient) => {
  switch (message.type) {
    case 'open':
      open(message).catch((error: unknown) => reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
      return;
    case 'start':
      startProbe(message.baseUrl, message.everyMs);
      return;
    case 'stop':
      reply(stopProbe());
      return;
    case 'exit':
      for (const s of subscribers) s.subscriber.close();
      process.disconnect?.();
      setTimeout(() => process.exit(0), 100).unref();
      return;
  }
});

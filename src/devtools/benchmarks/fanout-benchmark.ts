/**
 * `npm run bench:fanout`: many progress subscribers on one generation, and what they cost the server's
 * event loop. The real application starts in this process (one API key on a tier whose rate limits
 * never bind, the per-client stream cap raised so one key can open them all); one generation with
 * many fast steps (`--size` 512, `--steps` 150, `--images` 8 on the demo release) is watched by
 * `--sse` (300) server-sent-event and `--ws` (200) graphql-ws subscribers, of which a `--slow` share
 * (10 %) never read their socket. The subscribers run in one child process and a /health/live probe
 * in another (fanout-client.ts), so neither shares the server's loop. A gate generation holds the
 * pool's rows while the subscribers open; cancelling it starts the run.
 *
 * Figures: the server's event-loop delay during the run (and while the subscribers opened, and in a
 * control run of the same generation with no subscriber, for the machine's own share): perf_hooks
 * monitorEventLoopDelay at 1 ms resolution, and a p99 that counts a stall as the samples it hid
 * (loop-delay.ts: one 40 s stall is a single sample to the histogram); /health/live latency as the probe saw it;
 * the progress events each reading subscriber received (one per step is right; repeated steps mean the
 * generation sent one per image); done delivered to every reading subscriber; the server's RSS.
 * Target: event-loop p99 (the larger of the two) under 50 ms. A missed target is printed, not an error.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { runBenchmarkCli } from './benchmark-cli';
import { startBenchmarkServer, type BenchmarkServer } from './benchmark-server';
import { FANOUT_BENCH_USAGE, fanoutReproduceCommand, parseFanoutArgs, slowCount, type FanoutBenchOptions } from './fanout-options';
import { LoopDelaySampler } from './loop-delay';
import { isFromFanoutClient, type FromFanoutClient, type KindTally, type ToFanoutClient } from './fanout-protocol';
import { median, nowMs } from './timing';

const TARGET_P99_MS = 50;
const CLIENT_MODULE = join(__dirname, 'fanout-client.js');
/** The longest the reading subscribers may take to see done once open. */
const FINISH_BUDGET_MS = 10 * 60_000;

type Message<T extends FromFanoutClient['type']> = Extract<FromFanoutClient, { type: T }>;

/** A forked fanout-client.js and its messages, read in turn. */
class FanoutChild {
  private readonly inbox: FromFanoutClient[] = [];
  private waiting: (() => void) | undefined;
  private exited: Error | undefined;

  constructor(private readonly child: ChildProcess) {
    child.on('message', (message: unknown) => {
      if (!isFromFanoutClient(message)) return;
      this.inbox.push(message);
      this.waiting?.();
    });
    child.once('exit', (code, signal) => {
      this.exited = new Error(`a benchmark client exited (${signal ?? `code ${code}`}) before answering`);
      this.waiting?.();
    });
  }

  static start(role: 'subscribers' | 'probe'): FanoutChild {
    if (!existsSync(CLIENT_MODULE)) throw new Error(`${CLIENT_MODULE} not found: build first (npm run bench:fanout builds dist/ and runs from there)`);
    return new FanoutChild(fork(CLIENT_MODULE, [role], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  send(message: ToFanoutClient): void {
    if (this.child.connected) this.child.send(message);
  }

  async next<T extends FromFanoutClient['type']>(type: T): Promise<Message<T>> {
    for (;;) {
      const message = this.inbox.shift();
      if (message) {
        if (message.type === 'failed') throw new Error(`benchmark client: ${message.message}`);
        if (message.type !== type) throw new Error(`benchmark client: expected ${type}, got ${message.type}`);
        return message as Message<T>;
      }
      if (this.exited) throw this.exited;
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = undefined;
    }
  }

  stop(): void {
    this.send({ type: 'exit' });
    setTimeout(() => this.child.kill(), 2000).unref();
  }
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

const fmt = (ms: number): string => (Number.isFinite(ms) ? `${ms.toFixed(1)} ms` : 'n/a');

function startServer(): Promise<BenchmarkServer> {
  // One key opens every subscriber here; the default cap would refuse most of them.
  return startBenchmarkServer('fanout-bench', { AFD_MAX_STREAMS_PER_CLIENT: '100000' });
}

async function getGeneration(baseUrl: string, apiKey: string, id: string): Promise<{ status: string }> {
  return (await (await fetch(`${baseUrl}/v1/generations/${id}`, { headers: { 'x-api-key': apiKey } })).json()) as { status: string };
}

async function post(baseUrl: string, apiKey: string, body: Record<string, unknown>, async: boolean): Promise<{ id: string; status: string }> {
  const res = await fetch(`${baseUrl}/v1/generations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey, ...(async ? { prefer: 'respond-async' } : {}) },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`POST /v1/generations answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { id: string; status: string };
}

function printKind(name: string, tally: KindTally, steps: number): void {
  const reading = tally.progressEvents.length;
  console.log(
    `  ${name}: ${tally.opened} open (${tally.failed} failed to open), done at ${tally.done}/${reading} reading subscribers; ` +
      `progress events per reading subscriber: median ${median(tally.progressEvents.length ? tally.progressEvents : [NaN])}, max ${Math.max(0, ...tally.progressEvents)} ` +
      `(${steps} steps); repeated steps ${tally.repeatedSteps}; median bytes ${median(tally.bytes.length ? tally.bytes : [NaN])}`,
  );
}

/** The server's event loop over a window: monitorEventLoopDelay's histogram, and the stall-corrected sampler. */
function watchLoop(): { stop(): LoopFigures } {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  const sampler = new LoopDelaySampler();
  histogram.enable();
  sampler.start();
  return {
    stop: () => {
      histogram.disable();
      sampler.stop();
      return { p50: histogram.percentile(50) / 1e6, p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6, correctedP99: sampler.percentile(99) };
    },
  };
}

interface LoopFigures {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** p99 with every stall counted as the samples it hid (see LoopDelaySampler). */
  readonly correctedP99: number;
}

function loopLine(figures: LoopFigures): string {
  return `p50 ${fmt(figures.p50)}, p99 ${fmt(figures.p99)}, max ${fmt(figures.max)} (monitorEventLoopDelay); p99 counting stalls ${fmt(figures.correctedP99)}`;
}

async function run(options: FanoutBenchOptions): Promise<void> {
  const { app, baseUrl, apiKey } = await startServer();
  const subscribersChild = FanoutChild.start('subscribers');
  const probeChild = FanoutChild.start('probe');
  try {
    process.stderr.write('warming up (one small generation)…\n');
    await post(baseUrl, apiKey, { prompt: 'warm up', width: 64, height: 64, steps: 2, seed: 1 }, false);
    const generation = { prompt: 'red kente dress, studio photo', width: options.size, height: options.size, steps: options.steps, numImages: options.images, scheduler: 'euler-a', seed: 7 };
    const slowSse = slowCount(options.sse, options.slowShare);
    const slowWs = slowCount(options.ws, options.slowShare);
    console.log(
      `fan-out: ${options.sse} SSE + ${options.ws} graphql-ws subscribers (${slowSse} + ${slowWs} never read) on one generation ` +
        `(${options.size}x${options.size}, ${options.steps} steps, ${options.images} images, euler-a), /health/live every ${options.probeEveryMs} ms; machine load ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores`,
    );

    // Control: the same generation with no subscriber, for what the machine itself costs the loop.
    const control = watchLoop();
    const controlStarted = nowMs();
    await post(baseUrl, apiKey, { ...generation, prompt: 'control' }, false);
    const controlLoop = control.stop();
    console.log(`control, no subscriber (${((nowMs() - controlStarted) / 1000).toFixed(1)} s): server event loop ${loopLine(controlLoop)}`);

    // A gate generation holds the pool's rows, so the watched one stays queued until every subscriber is open.
    const gate = await post(baseUrl, apiKey, { ...generation, prompt: 'gate', seed: 1 }, true);
    const { id } = await post(baseUrl, apiKey, generation, true);
    const opening = watchLoop();
    subscribersChild.send({ type: 'open', baseUrl, apiKey, id, sse: options.sse, ws: options.ws, slowSse, slowWs, budgetMs: FINISH_BUDGET_MS });
    const opened = await subscribersChild.next('opened');
    const openingLoop = opening.stop();
    const queued = (await getGeneration(baseUrl, apiKey, id)).status === 'queued';
    console.log(
      `subscribers open after ${(opened.ms / 1000).toFixed(1)} s (${opened.failed} failed), the watched generation ${queued ? 'still queued' : 'ALREADY RUNNING (the gate did not hold it)'}; ` +
        `server event loop meanwhile ${loopLine(openingLoop)}`,
    );

    const rssBefore = process.memoryUsage().rss;
    let rssMax = rssBefore;
    const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 250);
    const running = watchLoop();
    const started = nowMs();
    probeChild.send({ type: 'start', baseUrl, everyMs: options.probeEveryMs });
    await fetch(`${baseUrl}/v1/generations/${gate.id}`, { method: 'DELETE', headers: { 'x-api-key': apiKey } });
    const finished = await subscribersChild.next('finished');
    const runLoop = running.stop();
    const elapsed = nowMs() - started;
    clearInterval(rssTimer);
    probeChild.send({ type: 'stop' });
    const probe = await probeChild.next('latencies');
    const state = await getGeneration(baseUrl, apiKey, id);

    console.log(`run: from the gate's cancel until every reading subscriber had done, ${(elapsed / 1000).toFixed(1)} s${finished.timedOut ? ' (TIMED OUT)' : ''}; generation ${state.status}`);
    printKind('SSE', finished.sse, options.steps);
    printKind('graphql-ws', finished.ws, options.steps);
    console.log(`server event loop during the run: ${loopLine(runLoop)}`);
    console.log(
      `/health/live during the run (${probe.ms.length - probe.unanswered} answers${probe.unanswered ? ', 1 still unanswered at the end, counted with its wait so far' : ''}, ${probe.errors} errors): ` +
        `p50 ${fmt(percentile(probe.ms, 50))}, p99 ${fmt(percentile(probe.ms, 99))}, max ${fmt(Math.max(...probe.ms))}`,
    );
    console.log(`server RSS: ${(rssBefore / 2 ** 20).toFixed(0)} MB before, ${(rssMax / 2 ** 20).toFixed(0)} MB at most during the run`);
    const p99 = Math.max(runLoop.p99, runLoop.correctedP99);
    console.log(
      p99 < TARGET_P99_MS
        ? `target met: event-loop p99 ${fmt(p99)} < ${TARGET_P99_MS} ms`
        : `TARGET MISSED: event-loop p99 ${fmt(p99)} >= ${TARGET_P99_MS} ms (compare the control's on this machine)`,
    );
    console.log(`\nreproduce with: ${fanoutReproduceCommand(options)}`);
  } finally {
    subscribersChild.stop();
    probeChild.stop();
    await app.close();
  }
}

runBenchmarkCli('bench:fanout', FANOUT_BENCH_USAGE, parseFanoutArgs, run);

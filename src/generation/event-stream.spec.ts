import type { GenerationEvent } from './generation.service';
import { ProgressFanout, type EventSink } from './progress-fanout';
import { eventStream, HIGH_WATER, PULLS_PER_TURN } from './event-stream';

const progress = (step: number): GenerationEvent => ({ event: 'progress', data: { step, totalSteps: 9, etaMs: 0, status: 'running' } });
const done: GenerationEvent = { event: 'done', data: { status: 'succeeded', step: 9, totalSteps: 9 } };
const label = (e: GenerationEvent): string => (e.event === 'done' ? 'done' : `step ${e.data.step}`);

function stream(fanout: ProgressFanout, onEnd = (): void => undefined): AsyncIterableIterator<string> {
  return eventStream(async (sink: EventSink) => fanout.add(sink), (p) => label(p.event), onEnd);
}

describe('eventStream (GraphQL subscriptions)', () => {
  it('gives a reader that keeps pulling every event, then ends once', async () => {
    const fanout = new ProgressFanout();
    let ended = 0;
    const events = stream(fanout, () => ended++);
    await Promise.resolve();
    const pulled: Promise<IteratorResult<string>>[] = [];
    for (let step = 1; step <= 3; step++) {
      pulled.push(events.next());
      fanout.publish(progress(step));
    }
    pulled.push(events.next());
    fanout.publish(done);
    expect((await Promise.all(pulled)).map((r) => r.value)).toEqual(['step 1', 'step 2', 'step 3', 'done']);
    expect(await events.next()).toEqual({ value: undefined, done: true });
    expect(ended).toBe(1);
  });

  it('holds at most HIGH_WATER progress events for a reader that does not pull, then offers the latest', async () => {
    const fanout = new ProgressFanout();
    const events = stream(fanout);
    await Promise.resolve();
    for (let step = 1; step <= 1000; step++) fanout.publish(progress(step));
    await new Promise((resolve) => setImmediate(resolve));
    const seen: string[] = [];
    for (let i = 0; i <= HIGH_WATER; i++) seen.push((await events.next()).value as string);
    // Steps 1 to HIGH_WATER were held; the first pull made room and the latest came after them.
    expect(seen).toEqual([...Array.from({ length: HIGH_WATER }, (_, i) => `step ${i + 1}`), 'step 1000']);
  });

  it('still ends with done for a reader that does not pull', async () => {
    const fanout = new ProgressFanout();
    const events = stream(fanout);
    await Promise.resolve();
    for (let step = 1; step <= 1000; step++) fanout.publish(progress(step));
    fanout.publish(done);
    await new Promise((resolve) => setImmediate(resolve));
    const seen: string[] = [];
    for await (const value of events) seen.push(value);
    expect(seen).toEqual([...Array.from({ length: HIGH_WATER }, (_, i) => `step ${i + 1}`), 'done']);
  });

  it('loses no step for a reader that lags less than HIGH_WATER events behind', async () => {
    const fanout = new ProgressFanout();
    const events = stream(fanout);
    await Promise.resolve();
    fanout.publish(progress(1));
    expect((await events.next()).value).toBe('step 1');
    for (let step = 2; step < 2 + HIGH_WATER; step++) fanout.publish(progress(step));
    const seen: string[] = [];
    for (let i = 0; i < HIGH_WATER; i++) seen.push((await events.next()).value as string);
    expect(seen).toEqual(Array.from({ length: HIGH_WATER }, (_, i) => `step ${i + 2}`));
  });

  it('leaves the fan-out and ends when the client goes away', async () => {
    const fanout = new ProgressFanout();
    let ended = 0;
    const events = stream(fanout, () => ended++);
    await Promise.resolve();
    expect(fanout.size).toBe(1);
    await events.return?.();
    expect(fanout.size).toBe(0);
    expect(ended).toBe(1);
    expect(await events.next()).toEqual({ value: undefined, done: true });
    expect(ended).toBe(1);
  });

  it('serves PULLS_PER_TURN pulls per turn of the event loop, across streams', async () => {
    const fanout = new ProgressFanout();
    const streams = Array.from({ length: PULLS_PER_TURN * 3 }, () => stream(fanout));
    await Promise.resolve();
    fanout.publish(progress(1));
    let served = 0;
    for (const s of streams) void s.next().then(() => served++);
    await new Promise((resolve) => setImmediate(resolve));
    expect(served).toBe(PULLS_PER_TURN);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(served).toBe(PULLS_PER_TURN * 3);
  });
});

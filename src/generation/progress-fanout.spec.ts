import type { GenerationEvent } from './generation.service';
import { ProgressFanout, SLICE, type EventSink, type PublishedEvent } from './progress-fanout';

const progress = (step: number): GenerationEvent => ({ event: 'progress', data: { step, totalSteps: 100, etaMs: 0, status: 'running' } });
const done: GenerationEvent = { event: 'done', data: { status: 'succeeded', step: 100, totalSteps: 100 } };
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await nextTurn();
};

/** A transport that records what it was sent and reports itself drained or not. */
class FakeSink implements EventSink {
  readonly received: string[] = [];
  constructor(public drained = true) {}
  send(published: PublishedEvent): boolean {
    this.received.push(published.encoded('test', (e) => (e.event === 'done' ? 'done' : `step ${e.data.step}`)));
    return this.drained;
  }
}

describe('ProgressFanout', () => {
  it('sends every progress and then done to a subscriber that keeps up, and serialises each event once for all', async () => {
    const fanout = new ProgressFanout();
    let encodings = 0;
    const sinks = Array.from({ length: 5 }, () => new FakeSink());
    for (const sink of sinks) {
      fanout.add({ send: (p) => sink.send(p) && p.encoded('wire', () => ++encodings) > 0 });
    }
    for (let step = 1; step <= 3; step++) fanout.publish(progress(step));
    fanout.publish(done);
    await settle();
    for (const sink of sinks) expect(sink.received).toEqual(['step 1', 'step 2', 'step 3', 'done']);
    // Four events, five subscribers: four encodings.
    expect(encodings).toBe(4);
    expect(fanout.size).toBe(0);
  });

  it('skips intermediate progress for a subscriber that is not drained, sends the latest when it drains, and always sends done', async () => {
    const fanout = new ProgressFanout();
    const slow = new FakeSink(false);
    const subscription = fanout.add(slow);
    fanout.publish(progress(1));
    // Not drained after step 1: steps 2 to 5 are not written to it.
    for (let step = 2; step <= 5; step++) fanout.publish(progress(step));
    await settle();
    expect(slow.received).toEqual(['step 1']);
    subscription.drained();
    expect(slow.received).toEqual(['step 1', 'step 5']);
    // Not drained after step 5 either (the fake answers false): step 6 is skipped, done is not.
    fanout.publish(progress(6));
    fanout.publish(done);
    await settle();
    expect(slow.received).toEqual(['step 1', 'step 5', 'done']);
  });

  it('repeats nothing to a subscriber that drains with nothing newer', async () => {
    const fanout = new ProgressFanout();
    const sink = new FakeSink(false);
    const subscription = fanout.add(sink);
    fanout.publish(progress(1));
    subscription.drained();
    subscription.drained();
    await settle();
    expect(sink.received).toEqual(['step 1']);
  });

  it('holds nothing per subscriber however many events a stalled one misses', async () => {
    const fanout = new ProgressFanout();
    const stalled = new FakeSink(false);
    const reading = new FakeSink();
    fanout.add(stalled);
    fanout.add(reading);
    for (let step = 1; step <= 10_000; step++) fanout.publish(progress(step));
    await settle();
    expect(stalled.received).toHaveLength(1);
    expect(reading.received).toHaveLength(10_000);
    fanout.publish(done);
    await settle();
    expect(stalled.received).toEqual(['step 1', 'done']);
  });

  it('writes to one slice of subscribers per turn of the event loop; the rest get the newest event', async () => {
    const fanout = new ProgressFanout(undefined, 0);
    const sinks = Array.from({ length: SLICE * 2 + 1 }, () => new FakeSink());
    for (const sink of sinks) fanout.add(sink);
    fanout.publish(progress(1));
    expect(sinks.filter((s) => s.received.length > 0)).toHaveLength(SLICE);
    // Published before the pass reached the others: they get step 2 only, the first slice gets it next.
    fanout.publish(progress(2));
    await settle();
    expect(sinks.slice(0, SLICE).every((s) => s.received.join() === 'step 1,step 2')).toBe(true);
    expect(sinks.slice(SLICE).every((s) => s.received.join() === 'step 2')).toBe(true);
    fanout.publish(done);
    await settle();
    expect(sinks.every((s) => s.received.at(-1) === 'done')).toBe(true);
  });

  it('paces a fan-out wider than a slice: progress published within the interval is coalesced, done is not held back', async () => {
    const fanout = new ProgressFanout(undefined, 50);
    const sinks = Array.from({ length: SLICE + 1 }, () => new FakeSink());
    for (const sink of sinks) fanout.add(sink);
    fanout.publish(progress(1));
    for (let step = 2; step <= 10; step++) fanout.publish(progress(step));
    for (let i = 0; i < 100 && !sinks.every((s) => s.received.at(-1) === 'step 10'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    // The first slice got step 1 at once and step 10 after the interval; the rest only step 10.
    expect(sinks.slice(0, SLICE).every((s) => s.received.join() === 'step 1,step 10')).toBe(true);
    expect(sinks[SLICE]?.received).toEqual(['step 10']);
    fanout.publish(progress(11));
    fanout.publish(done);
    await settle();
    expect(sinks.every((s) => s.received.at(-1) === 'done')).toBe(true);
    expect(sinks.some((s) => s.received.includes('step 11'))).toBe(false);
  });

  it('stops writing to a subscriber that left, drops one whose transport throws, and reports when none is left', async () => {
    let idle = 0;
    const fanout = new ProgressFanout(() => idle++);
    const leaving = new FakeSink();
    const staying = new FakeSink();
    const subscription = fanout.add(leaving);
    fanout.add({
      send: () => {
        throw new Error('socket gone');
      },
    });
    fanout.add(staying);
    fanout.publish(progress(1));
    subscription.unsubscribe();
    fanout.publish(progress(2));
    await settle();
    expect(leaving.received).toEqual(['step 1']);
    expect(staying.received).toEqual(['step 1', 'step 2']);
    expect(fanout.size).toBe(1);
    expect(idle).toBe(0);
    fanout.publish(done);
    await settle();
    expect(staying.received.at(-1)).toBe('done');
    expect(idle).toBe(1);
  });

  it('ignores events after done, and sends done at once to a subscriber added after it', async () => {
    const fanout = new ProgressFanout();
    fanout.publish(done);
    fanout.publish(progress(7));
    const late = new FakeSink();
    fanout.add(late);
    await settle();
    expect(late.received).toEqual(['done']);
    expect(fanout.ended).toBe(true);
  });
});

import type { PoolEvent } from '../pool';
import { PoolEventBus } from './pool-event-bus';

const ready = (restarts: number): PoolEvent => ({ type: 'worker-ready', device: 'cpu', restarts });

describe('PoolEventBus', () => {
  it('replays the events published before the pool started to each new listener, then delivers live ones', () => {
    const bus = new PoolEventBus();
    bus.publish(ready(0));
    bus.markStarted();
    bus.publish(ready(1));
    const seen: number[] = [];
    bus.subscribe((e) => seen.push(e.type === 'worker-ready' ? e.restarts : -1));
    bus.publish(ready(2));
    expect(seen).toEqual([0, 2]);
  });

  it('keeps delivering to the other listeners when one throws, and stops after unsubscribe', () => {
    const bus = new PoolEventBus();
    bus.markStarted();
    const seen: PoolEvent[] = [];
    bus.subscribe(() => {
      throw new Error('listener bug');
    });
    const unsubscribe = bus.subscribe((e) => seen.push(e));
    bus.publish(ready(0));
    unsubscribe();
    bus.publish(ready(1));
    expect(seen).toEqual([ready(0)]);
  });
});

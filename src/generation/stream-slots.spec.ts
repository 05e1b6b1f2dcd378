import { ApiError, ErrorCode } from '../common/error-code';
import { StreamSlots } from './stream-slots';

describe('StreamSlots', () => {
  it('refuses the stream past the cap with RESOURCE_EXHAUSTED naming the rule, per client', () => {
    const slots = new StreamSlots(2);
    slots.acquire('a');
    slots.acquire('a');
    let refused: unknown;
    try {
      slots.acquire('a');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: ErrorCode.RESOURCE_EXHAUSTED, details: { rule: 'open streams per client', limit: 2 } });
    expect((refused as Error).message).toMatch(/at most 2 open progress streams per client/);
    // Another client has its own count.
    expect(() => slots.acquire('b')).not.toThrow();
  });

  it('gives a slot back once when released, however often release is called', () => {
    const slots = new StreamSlots(2);
    const first = slots.acquire('a');
    slots.acquire('a');
    first.release();
    first.release();
    expect(slots.heldBy('a')).toBe(1);
    slots.acquire('a');
    expect(() => slots.acquire('a')).toThrow(ApiError);
  });

  it('forgets a client whose streams are all closed', () => {
    const slots = new StreamSlots(1);
    slots.acquire('a').release();
    expect(slots.heldBy('a')).toBe(0);
    expect(() => slots.acquire('a')).not.toThrow();
  });
});

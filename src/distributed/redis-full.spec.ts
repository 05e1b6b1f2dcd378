import { ApiError, ErrorCode } from '../common/error-code';
import { isRedisFull, unlessRedisFull } from './redis-full';

describe('a full Redis (noeviction)', () => {
  it('turns the OOM reply into UNAVAILABLE with a retry time, and lets other errors through', async () => {
    const oom = new Error("OOM command not allowed when used memory > 'maxmemory'.");
    expect(isRedisFull(oom)).toBe(true);
    const refused = await unlessRedisFull(() => Promise.reject(oom)).catch((error: unknown) => error as ApiError);
    expect(refused).toMatchObject({ code: ErrorCode.UNAVAILABLE, details: { reason: 'redis full' } });
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    const other = new Error('Connection is closed.');
    await expect(unlessRedisFull(() => Promise.reject(other))).rejects.toBe(other);
    await expect(unlessRedisFull(() => Promise.resolve(3))).resolves.toBe(3);
  });
});

import { loadAppConfig } from './app-config';

const redis = { AFD_ALLOW_OPEN: 'true', AFD_JOBS: 'redis', AFD_REDIS_URL: 'redis://127.0.0.1:6379' };

describe('Redis settings', () => {
  it('reads the prefix whenever Redis is used (rate limits too), and the image byte budgets of distributed mode', () => {
    expect(loadAppConfig({ AFD_ALLOW_OPEN: 'true', AFD_REDIS_URL: 'redis://r:6379', AFD_REDIS_PREFIX: 'tenant-a' }).redis.prefix).toBe('tenant-a');
    expect(loadAppConfig(redis).distributed).toMatchObject({ prefix: 'afd', resultStoreBytes: 256 * 1024 * 1024, replicaResultStoreBytes: 256 * 1024 * 1024 });
    expect(loadAppConfig({ ...redis, AFD_REDIS_RESULT_STORE_MB: '300', AFD_REDIS_RESULT_REPLICA_MB: '100' }).distributed).toMatchObject({
      resultStoreBytes: 300 * 1024 * 1024,
      replicaResultStoreBytes: 100 * 1024 * 1024,
    });
  });

  it.each([
    [{ AFD_REDIS_URL: 'redis://r:6379', AFD_REDIS_PREFIX: 'a:b' }, /configuration AFD_REDIS_PREFIX: must be 1 to 64 letters/],
    [{ ...redis, AFD_REDIS_RESULT_STORE_MB: '0' }, /configuration AFD_REDIS_RESULT_STORE_MB: must be an integer from 1/],
    [{ ...redis, AFD_REDIS_RESULT_STORE_MB: '100', AFD_REDIS_RESULT_REPLICA_MB: '200' }, /configuration AFD_REDIS_RESULT_REPLICA_MB: must be at most AFD_REDIS_RESULT_STORE_MB \(100\) \(got "200"\)/],
  ])('stops on %j naming the setting', (env, message) => {
    expect(() => loadAppConfig({ AFD_ALLOW_OPEN: 'true', ...env })).toThrow(message);
  });
});

/**
 * Image bytes in Redis, bounded in bytes as well as in time. Finishing a generation stores its
 * images and writes its final state in one Lua script, which also accounts the bytes: per result
 * (hash `results:size`), in total and per replica that produced them (hash `results:bytes`), in
 * age order (sorted sets `results` and `results:replica:<name>`). Past AFD_REDIS_RESULT_STORE_MB
 * in total, or AFD_REDIS_RESULT_REPLICA_MB for the replica, the oldest results are deleted, images
 * and state, so readers get 410 GONE as in local mode (the id's `known` key stays). The newest
 * result is never evicted by its own write, so a budget smaller than one result is exceeded by
 * that one result only. Results past the result time have expired by their TTL; the script also
 * takes them off the books.
 *
 * The script builds the keys of the results it evicts, so it needs one Redis server (not a
 * cluster), as the rest of the distributed mode does.
 */
import type { Redis } from 'ioredis';
import type { redisKeys } from '../config/distributed-config';

export interface ResultBudgets {
  /** Image bytes all replicas together keep in Redis. */
  readonly totalBytes: number;
  /** Image bytes of the results one replica produced. */
  readonly replicaBytes: number;
}

const STORE_RESULT = `
local stateKey, results, replicaResults, sizes, bytesHash = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local prefix, id, replica = ARGV[1], ARGV[2], ARGV[3]
local now, ttl, maxTotal, maxReplica = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local state, count = ARGV[8], tonumber(ARGV[9])

-- A state already final (cancelled, failed, finished by a takeover) is never overwritten.
local current = redis.call('GET', stateKey)
if not current then return {0, 0} end
local status = cjson.decode(current)['status']
if status ~= 'queued' and status ~= 'running' then return {0, 0} end

local function drop(victim)
  local entry = redis.call('HGET', sizes, victim)
  redis.call('ZREM', results, victim)
  redis.call('HDEL', sizes, victim)
  if not entry then return end
  local bytes, owner, images = string.match(entry, '^(%d+) (%S+) (%d+)$')
  redis.call('ZREM', prefix .. ':results:replica:' .. owner, victim)
  redis.call('HINCRBY', bytesHash, 'total', -tonumber(bytes))
  redis.call('HINCRBY', bytesHash, 'replica:' .. owner, -tonumber(bytes))
  for i = 0, tonumber(images) - 1 do redis.call('DEL', prefix .. ':img:' .. victim .. ':' .. i) end
  redis.call('DEL', prefix .. ':gen:' .. victim)
end

local size = 0
for i = 0, count - 1 do
  local bytes = ARGV[10 + i]
  size = size + string.len(bytes)
  redis.call('SET', prefix .. ':img:' .. id .. ':' .. i, bytes, 'PX', ttl)
end
redis.call('SET', stateKey, state, 'PX', ttl)
redis.call('ZADD', results, now, id)
redis.call('ZADD', replicaResults, now, id)
redis.call('HSET', sizes, id, size .. ' ' .. replica .. ' ' .. count)
redis.call('HINCRBY', bytesHash, 'total', size)
redis.call('HINCRBY', bytesHash, 'replica:' .. replica, size)

local evicted = 0
for _, victim in ipairs(redis.call('ZRANGEBYSCORE', results, '-inf', '(' .. (now - ttl))) do drop(victim) end
local function trim(set, field, max)
  while tonumber(redis.call('HGET', bytesHash, field) or '0') > max do
    local oldest = redis.call('ZRANGE', set, 0, 0)[1]
    if not oldest or oldest == id then break end
    drop(oldest)
    evicted = evicted + 1
  end
end
trim(results, 'total', maxTotal)
trim(replicaResults, 'replica:' .. replica, maxReplica)
return {1, evicted}
`;

export interface StoredResult {
  /** false: the state was already final (or gone) and nothing was written. */
  readonly stored: boolean;
  /** Older results deleted to make room. */
  readonly evicted: number;
}

export class RedisResultStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ReturnType<typeof redisKeys>,
    private readonly prefix: string,
    private readonly replicaId: string,
    private readonly ttlMs: number,
    private readonly budgets: ResultBudgets,
  ) {}

  /** Stores a succeeded generation's images (in index order, 0…n-1) with its final state, then evicts past the budgets. */
  async store(id: string, finalState: string, images: readonly Buffer[], now: number = Date.now()): Promise<StoredResult> {
    const keys = [this.keys.state(id), this.keys.results, this.keys.replicaResults(this.replicaId), this.keys.resultSizes, this.keys.resultBytes];
    const args: Array<string | Buffer> = [this.prefix, id, this.replicaId, String(now), String(this.ttlMs), String(this.budgets.totalBytes), String(this.budgets.replicaBytes), finalState, String(images.length), ...images];
    const [stored, evicted] = (await this.redis.eval(STORE_RESULT, keys.length, ...keys, ...args)) as [number, number];
    return { stored: stored === 1, evicted };
  }

  /** Image bytes kept now: in total, and of the results this replica produced. */
  async usage(): Promise<{ totalBytes: number; replicaBytes: number }> {
    const [total, replica] = await this.redis.hmget(this.keys.resultBytes, 'total', `replica:${this.replicaId}`);
    return { totalBytes: Number(total ?? 0), replicaBytes: Number(replica ?? 0) };
  }
}

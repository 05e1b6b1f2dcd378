/** How a replica takes part in distributed mode (AFD_JOBS=redis). */
export interface DistributedConfig {
  readonly redisUrl: string;
  /** This replica's name in job states (which replica runs a job). */
  readonly replicaId: string;
  /** false: this replica accepts and answers requests but runs no jobs (an API-only front). */
  readonly runsJobs: boolean;
  /** Jobs this replica runs at once per checkpoint queue. */
  readonly concurrency: number;
  /** A replica without the checkpoint loaded takes its jobs only once they have waited this long. */
  readonly affinityWaitMs: number;
  /** A job whose replica stops renewing its lock this long is taken over by another replica (once). */
  readonly lockMs: number;
  readonly resultTtlMs: number;
  /** Image bytes kept in Redis by all replicas together (AFD_REDIS_RESULT_STORE_MB); the oldest results go first past it. */
  readonly resultStoreBytes: number;
  /** Image bytes kept in Redis for the results one replica produced (AFD_REDIS_RESULT_REPLICA_MB). */
  readonly replicaResultStoreBytes: number;
  /** Namespace of every key and queue (AFD_REDIS_PREFIX), so deployments can share a Redis server. */
  readonly prefix: string;
}

/** Every Redis key, channel and queue name of one deployment. */
export function redisKeys(prefix: string) {
  const b64 = (text: string): string => Buffer.from(text).toString('base64url');
  return {
    state: (id: string): string => `${prefix}:gen:${id}`,
    known: (id: string): string => `${prefix}:known:${id}`,
    image: (id: string, index: number): string => `${prefix}:img:${id}:${index}`,
    events: (id: string): string => `${prefix}:events:${id}`,
    cancel: `${prefix}:cancel`,
    /** Stored results by age (sorted set, score = stored at), all and per producing replica; their sizes and byte totals (redis-result-store.ts). */
    results: `${prefix}:results`,
    replicaResults: (replicaId: string): string => `${prefix}:results:replica:${replicaId}`,
    resultSizes: `${prefix}:results:size`,
    resultBytes: `${prefix}:results:bytes`,
    idempotency: (clientId: string, key: string): string => `${prefix}:idem:${b64(clientId)}:${b64(key)}`,
    /** BullMQ's own key prefix for the queues. */
    bullPrefix: `${prefix}:bull`,
    /** BullMQ queue names may not contain ':'; checkpoint ids come from the registry. */
    queue: (checkpointId: string): string => `gen-${b64(checkpointId)}`,
  };
}

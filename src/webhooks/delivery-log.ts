/** The deliveries log: the last attempts of each client, in memory or in Redis (shared by replicas). */
import type { Redis } from 'ioredis';
import type { DeliveryAttempt, DeliveryLog } from './delivery';

export class MemoryDeliveryLog implements DeliveryLog {
  private readonly byClient = new Map<string, DeliveryAttempt[]>();

  constructor(private readonly size: number) {}

  async add(clientId: string, attempt: DeliveryAttempt): Promise<void> {
    const list = this.byClient.get(clientId) ?? [];
    list.unshift(attempt);
    list.length = Math.min(list.length, this.size);
    this.byClient.set(clientId, list);
  }

  async recent(clientId: string): Promise<DeliveryAttempt[]> {
    return [...(this.byClient.get(clientId) ?? [])];
  }

  async close(): Promise<void> {}
}

/** One Redis list per client, newest first, trimmed to `size`, expiring a day after its last attempt. */
export class RedisDeliveryLog implements DeliveryLog {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly size: number,
  ) {}

  private key(clientId: string): string {
    return `${this.prefix}:webhooks:log:${Buffer.from(clientId).toString('base64url')}`;
  }

  async add(clientId: string, attempt: DeliveryAttempt): Promise<void> {
    const key = this.key(clientId);
    await this.redis.multi().lpush(key, JSON.stringify(attempt)).ltrim(key, 0, this.size - 1).pexpire(key, 86_400_000).exec();
  }

  async recent(clientId: string): Promise<DeliveryAttempt[]> {
    const items = await this.redis.lrange(this.key(clientId), 0, this.size - 1);
    return items.map((text) => JSON.parse(text) as DeliveryAttempt);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => undefined);
  }
}

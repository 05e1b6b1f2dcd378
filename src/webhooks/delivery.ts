/** What is delivered (one event to one URL, retried under one id) and what each attempt leaves in the log. */

export interface Delivery {
  /** `webhook-id`: the same on every attempt, so receivers can drop repeats (delivery is at least once). */
  readonly webhookId: string;
  /** Whose key signs it, and whose deliveries log shows it. */
  readonly clientId: string;
  readonly url: string;
  /** `generation.succeeded`, `comparison.failed`, … */
  readonly type: string;
  /** The generation or comparison reported. */
  readonly subjectId: string;
  /** The JSON body, signed as it is. */
  readonly payload: string;
}

export type AttemptOutcome = 'delivered' | 'retrying' | 'failed';

/** One attempt as GET /v1/webhooks/deliveries lists it. */
export interface DeliveryAttempt {
  /** The attempt's own id (time-ordered: the page cursor). */
  readonly id: string;
  readonly webhookId: string;
  readonly type: string;
  readonly subjectId: string;
  readonly url: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly outcome: AttemptOutcome;
  readonly statusCode?: number;
  readonly error?: string;
  readonly durationMs: number;
  /** When the attempt was made (ISO 8601). */
  readonly at: string;
  /** With outcome `retrying`: when the next attempt is due (ISO 8601). */
  readonly nextAttemptAt?: string;
}

/** Where attempts are kept, newest first, a bounded number per client: in memory, or in Redis shared by replicas. */
export interface DeliveryLog {
  add(clientId: string, attempt: DeliveryAttempt): Promise<void>;
  /** The client's attempts, newest first. */
  recent(clientId: string): Promise<DeliveryAttempt[]>;
  close(): Promise<void>;
}

/** Delivers events: in this process, or as BullMQ jobs any replica may run. */
export interface DeliveryQueue {
  enqueue(delivery: Delivery): Promise<void>;
  /** Shutdown: deliveries still pending get until `deadline` (epoch ms); in-process ones left then are recorded failed. */
  drain(deadline: number): Promise<void>;
  close(): Promise<void>;
}

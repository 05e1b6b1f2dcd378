/** The benchmark's side of the load client: forks load-client.js (beside this file) and talks to it over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isFromClient, type ArrivalRecord, type FromClient, type ToClient } from './load-protocol';

/** The compiled client module, next to this one (dist/devtools/benchmarks/load/ when run through npm run bench:load). */
export const CLIENT_MODULE = join(__dirname, 'load-client.js');

type Message<T extends FromClient['type']> = Extract<FromClient, { type: T }>;
type Collected = Message<'collected'> & { readonly records: ArrivalRecord[] };

export class LoadClientProcess {
  private readonly inbox: FromClient[] = [];
  private waiting: ((message: FromClient | Error) => void) | undefined;
  private ended: Error | undefined;
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (message: unknown) => {
      if (isFromClient(message)) this.deliver(message);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.end(new Error(`the load client exited (${signal ?? `code ${code}`}) before answering`));
        resolve();
      });
    });
    child.once('error', (error) => this.end(error));
  }

  /** Forks the client; its stdout and stderr go to this process's. */
  static start(): LoadClientProcess {
    if (!existsSync(CLIENT_MODULE)) throw new Error(`${CLIENT_MODULE} not found: build first (npm run bench:load builds dist/ and runs from there)`);
    return new LoadClientProcess(fork(CLIENT_MODULE, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: ToClient): void {
    if (this.ended) throw this.ended;
    this.child.send(message);
  }

  /** The child's next message, which must be of this type (a `failed` one, or its exit, is thrown). */
  async next<T extends FromClient['type']>(type: T): Promise<Message<T>> {
    const message = await this.receive();
    if (message.type === 'failed') throw new Error(`load client: ${message.message}`);
    if (message.type !== type) throw new Error(`load client: expected a ${type} message, got ${message.type}`);
    return message as Message<T>;
  }

  /** Sends `collect` and gathers the record batches and the summary that answer it. */
  async collect(): Promise<Collected> {
    this.send({ type: 'collect' });
    const records: ArrivalRecord[] = [];
    for (;;) {
      const message = await this.receive();
      if (message.type === 'records') records.push(...message.records);
      else if (message.type === 'collected') return { ...message, records };
      else if (message.type === 'failed') throw new Error(`load client: ${message.message}`);
      else throw new Error(`load client: expected records, got ${message.type}`);
    }
  }

  /** Asks the child to leave; kills it if it has not within `graceMs`. */
  async close(graceMs = 5000): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      if (this.child.connected) this.child.send({ type: 'exit' } satisfies ToClient);
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
  }

  private receive(): Promise<FromClient> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      this.waiting = (message) => (message instanceof Error ? reject(message) : resolve(message));
    });
  }

  private deliver(message: FromClient): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting(message);
    else this.inbox.push(message);
  }

  private end(error: Error): void {
    this.ended ??= error;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(error);
  }
}

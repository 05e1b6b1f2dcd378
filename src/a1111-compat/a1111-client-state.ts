/**
 * What the web UI keeps globally, kept per client here (an API key, or an address when open): the
 * options a client set (its checkpoint and emphasis) and the generation it started last, which
 * /sdapi/v1/progress and /interrupt act on. One client's choices never change another's answers.
 * In memory, per replica, bounded: the oldest client is forgotten past MAX_CLIENTS.
 */
import { Injectable } from '@nestjs/common';

export interface A1111ClientState {
  checkpoint?: string;
  emphasis?: string;
  currentGenerationId?: string;
}

export const MAX_CLIENTS = 10_000;

@Injectable()
export class A1111ClientStates {
  private readonly states = new Map<string, A1111ClientState>();
  /** Settable by tests; MAX_CLIENTS in the application. */
  maxClients = MAX_CLIENTS;

  get(clientId: string): A1111ClientState {
    return this.states.get(clientId) ?? {};
  }

  update(clientId: string, change: Partial<A1111ClientState>): void {
    const state = { ...this.get(clientId), ...change };
    // Re-inserted, so the map's order is least recently changed first.
    this.states.delete(clientId);
    this.states.set(clientId, state);
    while (this.states.size > this.maxClients) this.states.delete(this.states.keys().next().value as string);
  }
}

/** Speaks graphql-transport-ws by hand, so a corpus case can send what a well-behaved client never would. */
import WebSocket from 'ws';
import type { GraphqlWsCase } from './graphql-cases';

export interface WsOutcome {
  /** The first error answered on subscription "1", if any. */
  readonly error?: { message: string; extensions?: { code?: string; details?: Record<string, unknown> } };
  /** Whatever came first on subscription "1": its type (`error`, `next`). */
  readonly answer?: string;
  readonly closeCode?: number;
  readonly raw: string;
}

/** Runs one case on a fresh socket; resolves with the first answer to the subscribe, or with the close. */
export function probeWebsocket(url: string, c: GraphqlWsCase, connectionParams: Record<string, unknown> = {}): Promise<WsOutcome> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    const received: string[] = [];
    const finish = (outcome: Omit<WsOutcome, 'raw'>): void => {
      resolve({ ...outcome, raw: received.join('\n') });
      socket.terminate();
    };
    socket.on('error', reject);
    socket.on('open', () => {
      if (c.message?.beforeInit) socket.send('x'.repeat(c.message.bytes));
      else socket.send(JSON.stringify({ type: 'connection_init', payload: connectionParams }));
    });
    socket.on('message', (data) => {
      const text = String(data);
      received.push(text);
      const message = JSON.parse(text) as { type: string; id?: string; payload?: unknown };
      if (message.type === 'connection_ack') {
        if (c.message) socket.send('x'.repeat(c.message.bytes));
        else socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: c.query } }));
      } else if (message.id === '1' && (message.type === 'error' || message.type === 'next')) {
        const errors = (message.type === 'error' ? message.payload : (message.payload as { errors?: unknown }).errors) as WsOutcome['error'][] | undefined;
        finish({ answer: message.type, error: errors?.[0] });
      }
    });
    socket.on('close', (code) => finish({ closeCode: code }));
  });
}

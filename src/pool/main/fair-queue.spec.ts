import { FairQueue } from './fair-queue';

interface Item {
  readonly name: string;
  readonly clientId: string;
  readonly priority: 'high' | 'normal';
}
const item = (name: string, clientId: string, priority: 'high' | 'normal' = 'normal'): Item => ({ name, clientId, priority });

function drain(queue: FairQueue<Item>): string[] {
  const out: string[] = [];
  for (let next = queue.shift(); next; next = queue.shift()) out.push(next.name);
  return out;
}

describe('FairQueue', () => {
  it('takes turns between clients, each client in its own order', () => {
    const q = new FairQueue<Item>();
    for (const n of ['a1', 'a2', 'a3']) q.push(item(n, 'a'));
    for (const n of ['b1', 'b2']) q.push(item(n, 'b'));
    q.push(item('c1', 'c'));
    expect(q.size).toBe(6);
    expect(drain(q)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3']);
    expect(q.size).toBe(0);
  });

  it('serves high priority first, round robin inside each level', () => {
    const q = new FairQueue<Item>();
    q.push(item('n1', 'a'));
    q.push(item('h1', 'a', 'high'));
    q.push(item('n2', 'b'));
    q.push(item('h2', 'b', 'high'));
    q.push(item('h3', 'a', 'high'));
    expect(q.peek()?.name).toBe('h1');
    expect(drain(q)).toEqual(['h1', 'h2', 'h3', 'n1', 'n2']);
  });

  it('peek agrees with shift; remove takes an item out wherever it is', () => {
    const q = new FairQueue<Item>();
    const items = [item('a1', 'a'), item('a2', 'a'), item('b1', 'b')];
    items.forEach((i) => q.push(i));
    expect(q.remove(items[0]!)).toBe(true);
    expect(q.remove(items[0]!)).toBe(false);
    expect([...q.items()].map((i) => i.name).sort()).toEqual(['a2', 'b1']);
    expect(q.peek()?.name).toBe(q.peek()?.name);
    const peeked = q.peek();
    expect(q.shift()).toBe(peeked);
    expect(drain(q)).toHaveLength(1);
    expect(q.peek()).toBeUndefined();
  });

  it('a client that comes back joins the end of the rotation', () => {
    const q = new FairQueue<Item>();
    q.push(item('a1', 'a'));
    q.push(item('b1', 'b'));
    expect(q.shift()?.name).toBe('a1');
    q.push(item('a2', 'a'));
    q.push(item('c1', 'c'));
    expect(drain(q)).toEqual(['b1', 'a2', 'c1']);
  });
});

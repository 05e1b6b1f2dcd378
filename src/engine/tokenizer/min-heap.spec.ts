import { NumberMinHeap } from './min-heap';

describe('NumberMinHeap', () => {
  it('pops keys in ascending order, growing past its first capacity', () => {
    const heap = new NumberMinHeap(2);
    const keys = Array.from({ length: 500 }, (_, i) => ((i * 7919) % 503) * 2 ** 32 + (i % 11));
    keys.forEach((k) => heap.push(k));
    expect(heap.size).toBe(500);
    const popped: number[] = [];
    while (heap.size > 0) popped.push(heap.pop());
    expect(popped).toEqual([...keys].sort((a, b) => a - b));
  });

  it('interleaves pushes and pops', () => {
    const heap = new NumberMinHeap();
    heap.push(5);
    heap.push(1);
    expect(heap.peek()).toBe(1);
    expect(heap.pop()).toBe(1);
    heap.push(3);
    heap.push(3);
    expect([heap.pop(), heap.pop(), heap.pop()]).toEqual([3, 3, 5]);
    expect(heap.size).toBe(0);
  });
});

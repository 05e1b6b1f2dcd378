import { PairTable } from './pair-table';

describe('PairTable', () => {
  it('stores and finds pairs, -1 for absent ones', () => {
    const table = new PairTable(3);
    table.set(0, 1, 10);
    table.set(1, 0, 11);
    table.set(70000, 5, 12);
    expect([table.get(0, 1), table.get(1, 0), table.get(70000, 5), table.get(5, 70000), table.get(0, 0)]).toEqual([10, 11, 12, -1, -1]);
  });

  it('keeps the last value of a pair set twice', () => {
    const table = new PairTable(1);
    table.set(2, 3, 1);
    table.set(2, 3, 7);
    expect(table.get(2, 3)).toBe(7);
  });

  it('holds many pairs', () => {
    const table = new PairTable(20_000);
    for (let i = 0; i < 20_000; i++) table.set(i % 150, Math.floor(i / 150), i);
    for (let i = 0; i < 20_000; i++) expect(table.get(i % 150, Math.floor(i / 150))).toBe(i);
    expect(table.get(150, 0)).toBe(-1);
  });
});

import { A1111ClientStates } from './a1111-client-state';

describe('A1111ClientStates', () => {
  it("keeps each client's options apart and forgets the least recently changed client past the bound", () => {
    const states = new A1111ClientStates();
    states.maxClients = 2;
    states.update('a', { checkpoint: 'final' });
    states.update('b', { checkpoint: 'baseline' });
    states.update('a', { currentGenerationId: 'g1' });
    states.update('c', { emphasis: 'no-norm' });
    expect(states.get('a')).toEqual({ checkpoint: 'final', currentGenerationId: 'g1' });
    expect(states.get('b')).toEqual({});
    expect(states.get('c')).toEqual({ emphasis: 'no-norm' });
  });
});

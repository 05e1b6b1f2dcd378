import { preference } from './content-negotiation';

describe('preference: how much an Accept header wants a media type', () => {
  it.each<[string, string, number, number]>([
    ['image/png', 'image/png', 1, 3],
    ['image/*;q=0.4', 'image/webp', 0.4, 2],
    ['*/*;q=0.1', 'application/json', 0.1, 1],
    // The most specific range decides, whatever its q.
    ['image/png;q=0, image/*', 'image/png', 0, 3],
    ['image/*;q=0.2, */*', 'image/jpeg', 0.2, 2],
    ['text/html', 'image/png', 0, 0],
    // Case-insensitive; spaces around parameters allowed.
    ['Image/PNG ; Q=0.5', 'image/png', 0.5, 3],
    // Malformed ranges are ignored; q out of the grammar leaves the default.
    ['garbage, image/png;q=2', 'image/png', 1, 3],
    ['image, /png, image/png;q=0.7', 'image/png', 0.7, 3],
  ])('%j wants %s at q=%d (specificity %d)', (accept, type, q, specificity) => {
    expect(preference(accept, type)).toEqual({ q, specificity });
  });

  it('reads at most 64 ranges of a hostile header', () => {
    const accept = `${'x/y, '.repeat(100)}image/png`;
    expect(preference(accept, 'image/png')).toEqual({ q: 0, specificity: 0 });
  });
});

import { UsageError } from './api-benchmark-support';
import { DEFAULT_FANOUT_OPTIONS, fanoutReproduceCommand, parseFanoutArgs, slowCount } from './fanout-options';

describe('bench:fanout options', () => {
  it('takes the defaults and reproduces them as the bare command', () => {
    expect(parseFanoutArgs([])).toEqual(DEFAULT_FANOUT_OPTIONS);
    expect(fanoutReproduceCommand(DEFAULT_FANOUT_OPTIONS)).toBe('npm run bench:fanout');
  });

  it('reproduces the options that differ from the defaults', () => {
    const options = parseFanoutArgs(['--sse', '20', '--slow', '0.5', '--steps', '10']);
    expect(options).toMatchObject({ sse: 20, slowShare: 0.5, steps: 10, ws: DEFAULT_FANOUT_OPTIONS.ws });
    expect(fanoutReproduceCommand(options)).toBe('npm run bench:fanout -- --sse 20 --slow 0.5 --steps 10');
  });

  it.each([
    [['--sse', '-1'], '--sse must be an integer from 0 to 5000'],
    [['--slow', '2'], '--slow must be a number from 0 to 1'],
    [['--size', '100'], '--size must be a multiple of 8'],
    [['--sse', '0', '--ws', '0'], '--sse and --ws cannot both be 0'],
    [['--nope', '1'], 'unknown option --nope'],
    [['--steps'], '--steps must be an integer from 1 to 150'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseFanoutArgs(argv)).toThrow(new UsageError(message));
  });

  it('rounds the slow share to whole subscribers', () => {
    expect(slowCount(300, 0.1)).toBe(30);
    expect(slowCount(5, 0.5)).toBe(3);
  });
});

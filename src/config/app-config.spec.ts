import { loadAppConfig } from './app-config';

describe('loadAppConfig', () => {
  it('has defaults for an empty environment', () => {
    expect(loadAppConfig({})).toMatchObject({ host: '0.0.0.0', port: 8080, devices: ['cpu'], maxQueuedTotal: 256, bodyLimit: '256kb' });
  });

  it('turns AFD_LOG_LEVEL into the levels at and above it', () => {
    expect(loadAppConfig({ AFD_LOG_LEVEL: 'warn' }).logLevels).toEqual(['error', 'warn']);
    expect(loadAppConfig({}).logLevels).toEqual(['error', 'warn', 'log']);
  });

  it('reads devices, limits and the registry path', () => {
    const config = loadAppConfig({ PORT: '9000', AFD_DEVICES: 'cpu, cuda:1', AFD_REGISTRY: 'r.json', AFD_MEMORY_BUDGET_BYTES: '8000000000' });
    expect(config).toMatchObject({ port: 9000, devices: ['cpu', 'cuda:1'], registryFile: 'r.json', memoryBudgetBytes: 8e9 });
  });

  it.each([
    [{ PORT: 'eighty' }, /configuration PORT: must be an integer from 0 to 65535 \(got "eighty"\)/],
    [{ PORT: '70000' }, /configuration PORT/],
    [{ AFD_DEVICES: 'gpu0' }, /configuration AFD_DEVICES: must be a comma-separated list of cpu or cuda:N/],
    [{ AFD_MAX_QUEUED: '0' }, /configuration AFD_MAX_QUEUED/],
    [{ AFD_LOG_LEVEL: 'verbose' }, /configuration AFD_LOG_LEVEL: must be one of error, warn, log, debug/],
  ])('stops on %j naming the setting', (env, message) => {
    expect(() => loadAppConfig(env)).toThrow(message);
  });
});

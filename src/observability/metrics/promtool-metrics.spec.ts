/** The exposition passes `promtool check metrics` (Prometheus' naming and type lint), default Node.js metrics included. */
import { metricsServiceForTests } from './testing/metrics-service.fixture';
import { promtool, promtoolAvailable, PROMTOOL_MISSING } from './testing/promtool';

const withPromtool = promtoolAvailable ? it : it.skip;
if (!promtoolAvailable) console.warn(PROMTOOL_MISSING);

describe('promtool check metrics', () => {
  withPromtool('finds nothing to flag in a scrape of a busy device', async () => {
    const { metrics, events } = metricsServiceForTests({
      stats: {
        queued: 2,
        running: 1,
        devices: [{ device: 'cpu', state: 'ready', restarts: 0, queued: 2, runningJobs: 1, inFlightRows: 2, activeSequences: 1, msPerRowStep: 5 }],
        totals: { submitted: 3, succeeded: 0, failed: 0, cancelled: 0, deadlineExceeded: 0, rejected: 0 },
      },
    });
    try {
      events.publish({ type: 'unet-call', device: 'cpu', checkpointId: 'final', rows: 2, sequences: 1, startedAt: Date.now(), durationMs: 12, jobs: [{ jobId: 'j1', sequences: 1 }] });
      metrics.observeRequest('rest', 'POST /v1/generations', '201', 0.2);
      const result = promtool(['check', 'metrics'], await metrics.render());
      expect(result).toEqual({ status: 0, output: '' });
    } finally {
      metrics.onApplicationShutdown();
    }
  });
});

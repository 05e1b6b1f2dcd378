import { ApiError, ErrorCode } from '../../common/error-code';
import { PoolError } from '../../pool';
import { failureReason } from './generation-metrics';
import { metricsServiceForTests } from './testing/metrics-service.fixture';

const lines = async (render: () => Promise<string>, prefix: string) => (await render()).split('\n').filter((l) => l.startsWith(prefix));

describe('MetricsService', () => {
  it('turns pool events into UNet, load and eviction metrics', async () => {
    const { metrics, events } = metricsServiceForTests();
    try {
      events.publish({ type: 'unet-call', device: 'cuda:0', checkpointId: 'final', rows: 6, sequences: 3, startedAt: Date.now(), durationMs: 40, jobs: [{ jobId: 'j1', sequences: 3 }] });
      events.publish({ type: 'component-loaded', device: 'cuda:0', kind: 'unet', hash: 'ab'.repeat(32), bytes: 10, checkpointIds: ['final'], durationMs: 1500 });
      events.publish({ type: 'component-evicted', device: 'cuda:0', kind: 'unet', hash: 'ab'.repeat(32), bytes: 10, checkpointIds: ['final'] });
      events.publish({ type: 'worker-exited', device: 'cuda:0', exitCode: 70, failedJobs: 1 });
      const render = () => metrics.render();
      expect(await lines(render, 'afd_unet_step_seconds_sum')).toEqual(['afd_unet_step_seconds_sum{device="cuda:0",checkpoint="final"} 0.04']);
      expect(await lines(render, 'afd_unet_batch_rows_sum')).toEqual(['afd_unet_batch_rows_sum{device="cuda:0",checkpoint="final"} 6']);
      expect(await lines(render, 'afd_unet_batch_sequences_sum')).toEqual(['afd_unet_batch_sequences_sum{device="cuda:0",checkpoint="final"} 3']);
      expect(await lines(render, 'afd_model_loads_total')).toEqual(['afd_model_loads_total{device="cuda:0",component="unet"} 1']);
      expect(await lines(render, 'afd_model_load_seconds_sum')).toEqual(['afd_model_load_seconds_sum{device="cuda:0",component="unet"} 1.5']);
      expect(await lines(render, 'afd_model_evictions_total')).toEqual(['afd_model_evictions_total{device="cuda:0",component="unet"} 1']);
      expect(await lines(render, 'afd_worker_exits_total')).toEqual(['afd_worker_exits_total{device="cuda:0"} 1']);
    } finally {
      metrics.onApplicationShutdown();
    }
  });

  it('reads queue depth, active sequences and model memory (by component kind and short hash) at scrape time', async () => {
    const { metrics } = metricsServiceForTests({
      stats: {
        queued: 4,
        running: 1,
        devices: [
          { device: 'cuda:0', state: 'ready', restarts: 0, queued: 4, runningJobs: 1, inFlightRows: 2, activeSequences: 2, msPerRowStep: 1 },
          { device: 'cuda:1', state: 'restarting', restarts: 1, queued: 0, runningJobs: 0, inFlightRows: 0, msPerRowStep: 1 },
        ],
        totals: { submitted: 5, succeeded: 0, failed: 0, cancelled: 0, deadlineExceeded: 0, rejected: 0 },
      },
      residency: [
        {
          device: 'cuda:0',
          state: 'ready',
          memoryBudgetBytes: 8e9,
          usedBytes: 350,
          residentCheckpointIds: ['a', 'b'],
          measuredCheckpointBytes: {},
          components: [
            { kind: 'text_encoder', hash: '0123456789abcdef'.repeat(4), bytes: 100, measuredBytes: 150, checkpointIds: ['a', 'b'], state: 'ready', pinned: false, lastUsedAt: 0, activeJobs: 0 },
            { kind: 'unet', hash: 'fedcba9876543210'.repeat(4), bytes: 200, measuredBytes: null, checkpointIds: ['a'], state: 'loading', pinned: true, lastUsedAt: 0, activeJobs: 1 },
          ],
        },
      ],
    });
    try {
      const text = await metrics.render();
      const of = (name: string) => text.split('\n').filter((l) => l.startsWith(`${name}{`));
      expect(of('afd_queue_depth')).toEqual(['afd_queue_depth{device="cuda:0"} 4', 'afd_queue_depth{device="cuda:1"} 0']);
      expect(of('afd_active_sequences')).toEqual(['afd_active_sequences{device="cuda:0"} 2']);
      expect(of('afd_device_ready')).toEqual(['afd_device_ready{device="cuda:0"} 1', 'afd_device_ready{device="cuda:1"} 0']);
      expect(of('afd_model_memory_bytes')).toEqual([
        'afd_model_memory_bytes{device="cuda:0",component="text_encoder",hash="0123456789ab"} 150', // measured
        'afd_model_memory_bytes{device="cuda:0",component="unet",hash="fedcba987654"} 200', // loading: its file bytes
      ]);
      expect(of('afd_model_memory_budget_bytes')).toEqual(['afd_model_memory_budget_bytes{device="cuda:0"} 8000000000']);
    } finally {
      metrics.onApplicationShutdown();
    }
  });

  it('records generations by phase and failures by reason, every reason present from the start', async () => {
    const { metrics } = metricsServiceForTests();
    try {
      metrics.generationSucceeded('final', { timings: { queuedMs: 5, loadMs: 0, encodeMs: 10, denoiseMs: 900, decodeMs: 50, totalMs: 965 }, images: [] }, 0.02);
      metrics.generationFailed(new PoolError('CANCELLED', 'x'));
      const text = await metrics.render();
      expect(text).toContain('afd_generation_phase_seconds_sum{phase="denoising",checkpoint="final"} 0.9');
      expect(text).toContain('afd_generation_phase_seconds_sum{phase="image_encoding",checkpoint="final"} 0.02');
      expect(text).toContain('afd_generation_duration_seconds_sum{checkpoint="final"} 0.985');
      expect(text.split('\n').filter((l) => l.startsWith('afd_generation_failures_total{'))).toEqual([
        'afd_generation_failures_total{reason="rejected"} 0',
        'afd_generation_failures_total{reason="cancelled"} 1',
        'afd_generation_failures_total{reason="timeout"} 0',
        'afd_generation_failures_total{reason="model_error"} 0',
        'afd_generation_failures_total{reason="invalid"} 0',
      ]);
    } finally {
      metrics.onApplicationShutdown();
    }
  });

  it.each([
    [new PoolError('QUEUE_FULL', 'full'), 'rejected'],
    [new PoolError('SHUTTING_DOWN', 'bye'), 'rejected'],
    [new PoolError('MEMORY_BUDGET_EXCEEDED', 'too big'), 'model_error'],
    [new PoolError('CANCELLED', 'x'), 'cancelled'],
    [new PoolError('DEADLINE_EXCEEDED', 'x'), 'timeout'],
    [new PoolError('MODEL_FAILED', 'x'), 'model_error'],
    [new PoolError('WORKER_CRASHED', 'x'), 'model_error'],
    [new PoolError('UNKNOWN_CHECKPOINT', 'x'), 'invalid'],
    [new ApiError(ErrorCode.INVALID_ARGUMENT, 'x'), 'invalid'],
    [new ApiError(ErrorCode.CONFLICT, 'x'), 'invalid'],
    [new Error('a bug'), 'model_error'],
  ])('maps %s to the failure reason %s', (error, reason) => {
    expect(failureReason(error)).toBe(reason);
  });
});

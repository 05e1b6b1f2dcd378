/**
 * JobTracing without the app: generation spans under the active span, phases placed end to end from
 * the pool's timings, UNet-call spans linked to the jobs they served (and to nothing once a job has
 * ended), and trace ids in log fields. A real SDK with an in-memory exporter; no pool.
 */
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { PoolEventBus } from '../../inference/pool-event-bus';
import { traceLogFields } from '../logging/logging.module';
import { JobTracing } from './job-tracing';
import { flushSpans, startTracing, type Tracing } from './tracing-sdk';
import { tracer } from './tracer';

const ms = (time: [number, number]): number => time[0] * 1000 + time[1] / 1e6;

describe('JobTracing', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let events: PoolEventBus;
  let jobs: JobTracing;

  beforeAll(() => {
    tracing = startTracing({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  });
  afterAll(() => tracing.shutdown());
  beforeEach(() => {
    exporter.reset();
    events = new PoolEventBus();
    events.markStarted();
    jobs = new JobTracing(events);
  });
  afterEach(() => jobs.onApplicationShutdown());

  const spans = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name);

  it('makes the generation a child of the active span, its phases end to end, and a UNet call linked to the jobs it served', async () => {
    const request = tracer.startSpan('request');
    const [first, second] = context.with(trace.setSpan(context.active(), request), () => [jobs.started('job-1', { 'afd.checkpoint': 'final' }), jobs.started('job-2', {})]);
    const startedAt = Date.now();
    events.publish({ type: 'unet-call', device: 'cpu', checkpointId: 'final', rows: 6, sequences: 3, startedAt, durationMs: 40, jobs: [{ jobId: 'job-1', sequences: 2 }, { jobId: 'job-2', sequences: 1 }, { jobId: 'warm-up', sequences: 0 }] });
    first?.succeeded({ queuedMs: 5, loadMs: 10, encodeMs: 20, denoiseMs: 40, decodeMs: 15, totalMs: 90 });
    second?.failed('CANCELLED', 'job-2 was cancelled');
    request.end();
    await flushSpans();

    const [generation, cancelled] = spans('generation');
    expect(generation?.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(generation?.attributes).toEqual({ 'afd.checkpoint': 'final' });
    expect(cancelled?.status).toEqual({ code: 2, message: 'CANCELLED: job-2 was cancelled' });
    const phases = exporter.getFinishedSpans().filter((s) => s.parentSpanContext?.spanId === generation?.spanContext().spanId);
    expect(phases.map((p) => [p.name, Math.round(ms(p.duration))])).toEqual([
      ['queue wait', 5],
      ['model load', 10],
      ['text encoder', 20],
      ['denoise', 40],
      ['vae decoder', 15],
    ]);
    for (let i = 1; i < phases.length; i++) expect(ms((phases[i] as ReadableSpan).startTime)).toBeCloseTo(ms((phases[i - 1] as ReadableSpan).endTime), 3);

    const [call] = spans('unet call');
    expect(call?.parentSpanContext).toBeUndefined();
    expect(ms(call?.startTime as [number, number])).toBeCloseTo(startedAt, 0);
    expect(Math.round(ms(call?.duration as [number, number]))).toBe(40);
    expect(call?.attributes).toEqual({ 'afd.device': 'cpu', 'afd.checkpoint': 'final', 'afd.unet.rows': 6, 'afd.unet.sequences': 3, 'afd.unet.jobs': 3 });
    // Jobs without a span (the warm-up) are not linked.
    expect(call?.links.map((l) => [l.context.spanId, l.attributes])).toEqual([
      [generation?.spanContext().spanId, { 'afd.unet.sequences': 2 }],
      [cancelled?.spanContext().spanId, { 'afd.unet.sequences': 1 }],
    ]);
  });

  it('links nothing to a job whose generation has ended, and ends the generation when image encoding fails', async () => {
    const generation = jobs.started('job-3', {});
    await expect(generation.imageEncoding(() => Promise.reject(new Error('sharp failed')))).rejects.toThrow('sharp failed');
    events.publish({ type: 'unet-call', device: 'cpu', checkpointId: 'final', rows: 2, sequences: 1, startedAt: Date.now(), durationMs: 1, jobs: [{ jobId: 'job-3', sequences: 1 }] });
    await flushSpans();
    expect(spans('generation')[0]?.status).toEqual({ code: 2, message: 'INTERNAL: sharp failed' });
    expect(spans('image encode')[0]?.status.code).toBe(2);
    expect(spans('unet call')[0]?.links).toEqual([]);
  });

  it('puts the active span\'s ids in log fields, and nothing outside a span', () => {
    const span = tracer.startSpan('request');
    const fields = context.with(trace.setSpan(context.active(), span), () => traceLogFields());
    span.end();
    expect(fields).toEqual({ trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
    expect(traceLogFields()).toEqual({});
  });
});

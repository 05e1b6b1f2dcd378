/**
 * Spans for the work behind a request. A generation gets a span (child of the request's span) with
 * its phases as children: queue wait, model load, text encoder, denoise, VAE decoder (placed from
 * the pool's timings, which the worker measures) and image encode (measured here). Each UNet call
 * gets a span of its own, with its batch composition, linked to the generation spans of the jobs
 * whose sequences it served: one call serves many requests, so it belongs to none of their traces.
 *
 * The UNet runs in a worker thread. The worker reports each call's start, duration and jobs in its
 * `tick` message (pool protocol); the spans are made here, on the main thread, from those numbers.
 * A tracer provider inside each worker would need its own exporter and the requests' span contexts
 * sent into the worker, for the same spans.
 */
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { context, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Context, type Link, type Span, type SpanContext } from '@opentelemetry/api';
import { PoolEventBus } from '../../inference/pool-event-bus';
import type { JobTimings, PoolEvent } from '../../pool';
import { ATTR, SPAN, tracer } from './tracer';

type UnetCall = Extract<PoolEvent, { type: 'unet-call' }>;

/** Epoch milliseconds, with the sub-millisecond part the span timestamps keep. */
const epochMs = (): number => performance.timeOrigin + performance.now();

/** One generation's span, ended once its images are encoded or it failed. */
export class GenerationTrace {
  private readonly submittedAt = epochMs();
  private ended = false;

  constructor(
    private readonly span: Span,
    private readonly release: () => void,
  ) {}

  /** Runs the image encoding under its own span; a failure there ends the generation's span too. */
  async imageEncoding<T>(encode: () => Promise<T>): Promise<T> {
    const span = tracer.startSpan(SPAN.imageEncode, {}, this.context());
    try {
      return await encode();
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      this.failed('INTERNAL', error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      span.end();
    }
  }

  /**
   * The pool's phases, then the generation's end. The queue wait runs from submission to the moment
   * the device worker received the job (dispatch included); the worker's phases follow each other
   * from there, on the worker's own clock.
   */
  succeeded(timings: JobTimings): void {
    const received = timings.receivedAt ?? this.submittedAt + timings.queuedMs;
    tracer.startSpan(SPAN.queue, { startTime: this.submittedAt }, this.context()).end(Math.max(this.submittedAt, received));
    let at = received;
    const phases: Array<[string, number]> = [
      [SPAN.modelLoad, timings.loadMs],
      [SPAN.textEncoder, timings.encodeMs],
      [SPAN.denoise, timings.denoiseMs],
      [SPAN.vaeDecoder, timings.decodeMs],
    ];
    for (const [name, ms] of phases) {
      tracer.startSpan(name, { startTime: at }, this.context()).end(at + ms);
      at += ms;
    }
    this.end();
  }

  /** A generation refused or failed: the error's code on the span. */
  failed(code: string, message: string): void {
    this.span.setAttribute('afd.error.code', code);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: `${code}: ${message}` });
    this.end();
  }

  /** Children of the generation span, wherever the code that ends it runs. */
  private context(): Context {
    return trace.setSpan(ROOT_CONTEXT, this.span);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.release();
    this.span.end();
  }
}

@Injectable()
export class JobTracing implements OnApplicationShutdown {
  /** Jobs being generated: the span context the UNet calls that serve them link to. */
  private readonly jobs = new Map<string, SpanContext>();
  private readonly unsubscribe: () => void;

  constructor(@Inject(PoolEventBus) events: PoolEventBus) {
    this.unsubscribe = events.subscribe((event) => {
      if (event.type === 'unet-call') this.unetCall(event);
    });
  }

  onApplicationShutdown(): void {
    this.unsubscribe();
  }

  /** A job handed to the pool, under the active context (the request being served, when there is one). */
  started(jobId: string, attributes: Attributes): GenerationTrace {
    const span = tracer.startSpan(SPAN.generation, { attributes }, context.active());
    if (span.isRecording()) this.jobs.set(jobId, span.spanContext());
    return new GenerationTrace(span, () => this.jobs.delete(jobId));
  }

  private unetCall(call: UnetCall): void {
    const links: Link[] = call.jobs.flatMap((share) => {
      const linked = this.jobs.get(share.jobId);
      return linked ? [{ context: linked, attributes: { [ATTR.sequences]: share.sequences } }] : [];
    });
    const span = tracer.startSpan(SPAN.unet, {
      root: true,
      startTime: call.startedAt,
      links,
      attributes: {
        [ATTR.device]: call.device,
        [ATTR.checkpoint]: call.checkpointId,
        [ATTR.rows]: call.rows,
        [ATTR.sequences]: call.sequences,
        [ATTR.jobs]: call.jobs.length,
      },
    });
    span.end(call.startedAt + call.durationMs);
  }
}

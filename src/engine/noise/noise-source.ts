/**
 * A stateful stream of standard normal samples, like a seeded `torch.Generator` or
 * `numpy.random.RandomState`: each call continues where the previous one stopped.
 *
 * The pipeline draws a sequence's initial latents from it, and stochastic schedulers (Euler
 * ancestral, DDIM with eta > 0) draw their per-step noise from the same stream, as diffusers does
 * when a `generator` is passed to the pipeline.
 */
export interface NoiseSource {
  /** The next `count` samples, in the order the reference generator would produce `randn(count)`. */
  randn(count: number): Float32Array;
}

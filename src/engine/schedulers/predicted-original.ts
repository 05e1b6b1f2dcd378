/**
 * The clean sample x0 a scheduler step predicted (diffusers' `pred_original_sample`), kept as a
 * recipe, not as values: a step records the references and two coefficients it already has, and x0
 * is computed only when someone asks (previews). A step without previews pays one small object.
 *
 * x0[i] = p * (sample[i] + noiseScale * noise[i]) + q * output[i], clipped to ±clip when set,
 * rounded to float32 where diffusers computes it in float32.
 */
export interface PredictedOriginalRecipe {
  readonly sample: Float32Array;
  readonly output: Float32Array;
  readonly p: number;
  readonly q: number;
  /** Euler's churn: the sample the step used was `sample + noiseScale * noise`. */
  readonly noise?: Float32Array;
  readonly noiseScale?: number;
  /** DDIM's clip_sample. */
  readonly clip?: number;
}

/** Computes x0 from a recipe (a new array; the recipe's arrays are not modified). */
export function predictedOriginalFrom(recipe: PredictedOriginalRecipe): Float32Array {
  const { sample, output, p, q, noise, clip } = recipe;
  const n = sample.length;
  const x0 = new Float32Array(n);
  if (noise === undefined) {
    for (let i = 0; i < n; i++) x0[i] = p * sample[i] + q * output[i];
  } else {
    const scale = recipe.noiseScale ?? 0;
    for (let i = 0; i < n; i++) x0[i] = p * Math.fround(sample[i] + scale * noise[i]) + q * output[i];
  }
  if (clip !== undefined) {
    for (let i = 0; i < n; i++) x0[i] = x0[i] < -clip ? -clip : x0[i] > clip ? clip : x0[i];
  }
  return x0;
}

/**
 * x0 from an epsilon / v / sample prediction in the alphas parameterization (DDIM, PNDM, DPM-Solver):
 * x_t = sqrt(a) * x0 + sqrt(1 - a) * eps. Answers [p, q] with x0 = p * x_t + q * output.
 */
export function alphaPredictedOriginalCoefficients(
  predictionType: 'epsilon' | 'v_prediction' | 'sample',
  alpha: number,
  sigma: number,
): [p: number, q: number] {
  if (predictionType === 'epsilon') return [1 / alpha, -sigma / alpha];
  if (predictionType === 'sample') return [0, 1];
  return [alpha, -sigma];
}

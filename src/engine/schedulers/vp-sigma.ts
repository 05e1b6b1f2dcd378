/**
 * The variance-preserving view of a k-diffusion sigma that DPM-Solver, UniPC and DEIS step in:
 * x_t = alpha_t * x0 + sigma_t * eps with alpha_t = 1 / sqrt(sigma² + 1), sigma_t = sigma * alpha_t,
 * and lambda = log(alpha_t) - log(sigma_t) (diffusers' `_sigma_to_alpha_sigma_t`). sigma 0 gives
 * lambda = +Infinity, which the solvers' formulas take to the clean-sample limit.
 */
export function alphaSigmaLambda(sigma: number): [alpha: number, sigmaT: number, lambda: number] {
  const alpha = 1 / Math.sqrt(sigma * sigma + 1);
  const sigmaT = sigma * alpha;
  return [alpha, sigmaT, Math.log(alpha) - Math.log(sigmaT)];
}

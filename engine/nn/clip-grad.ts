import type { Tensor } from '../tensor';

/**
 * Rescales gradients in place so that their combined norm is at most `maxNorm` (torch.nn.utils.clip_grad_norm_).
 * The norm is taken over all gradients together, as if concatenated into one vector; parameters without a
 * gradient are skipped. Returns the total norm before clipping (useful to log).
 *
 * ```text
 * total ← (Σ_p ‖∇p‖ₙⁿ)^(1/n)      (max |∇p| when normType = Infinity)
 * coef  ← min(maxNorm / (total + 1e-6), 1)
 * ∇p    ← coef · ∇p   for every p
 * ```
 * @example optimizer.zeroGrad(); loss.backward(); clipGradNorm(model.parameters(), 1.0); optimizer.step();
 */
export function clipGradNorm(parameters: Iterable<Tensor>, maxNorm: number, normType = 2): number {
  if (!(normType > 0)) throw new Error(`clipGradNorm: invalid normType ${normType}, expected normType > 0 or Infinity`);
  const grads = Array.from(parameters)
    .map((p) => p.grad)
    .filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return 0;
  let total = 0;
  if (normType === Infinity) {
    for (const g of grads) for (const v of g.data) total = Math.max(total, Math.abs(v));
  } else {
    for (const g of grads) for (const v of g.data) total += Math.abs(v) ** normType;
    total = total ** (1 / normType);
  }
  const coef = Math.min(maxNorm / (total + 1e-6), 1);
  for (const g of grads) {
    const data = g.data;
    for (let i = 0; i < data.length; i++) data[i] *= coef;
  }
  return total;
}

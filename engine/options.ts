/**
 * Option objects are torch's keyword arguments, camelCased. One that the engine does not know must be an error,
 * never silently ignored: a PyTorch user who writes `new Conv2d(1, 8, 3, { padding_mode: 'reflect' })` or
 * `new Adam(params, { fused: true })` expects that or a clear refusal, not something else without a word.
 */

/** Throws `${owner}: unknown option 'x' (known: a, b)` unless every own key of `options` is in `known`. */
export function checkOptions(owner: string, options: object | null | undefined, known: readonly string[]): void {
  if (options === null || options === undefined) return;
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${owner}: unknown option '${key}' (known: ${known.join(', ')})`);
  }
}

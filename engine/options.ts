/**
 * Option objects are torch's keyword arguments, camelCased. One that the engine does not know must be an error,
 * never silently ignored: a PyTorch user who writes `new Conv2d(1, 8, 3, { paddingMode: 'reflect' })` or
 * `new LSTM(8, 16, { bidirectional: true })` expects that layer or a clear refusal, not a different one.
 */

/** Throws `${owner}: unknown option 'x' (known: a, b)` unless every own key of `options` is in `known`. */
export function checkOptions(owner: string, options: object | null | undefined, known: readonly string[]): void {
  if (options === null || options === undefined) return;
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new Error(`${owner}: unknown option '${key}' (known: ${known.join(', ')})`);
  }
}

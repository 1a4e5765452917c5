/**
 * Batches of uint8 images turned into float32 (K.GatherBytes): the reference for backends that gather in their
 * own memory (wasm: assembly/data.ts). A dataset on a backend without its own kernel gathers float rows it has
 * converted once (engine/data/byte-images.ts), since this per-byte loop costs a float row copy's time twice over.
 */

/**
 * out[b·rowLength + j] = f32(source[indices[b]·rowLength + j] · scale + shift): rows `indices` of [N, rowLength]
 * bytes, normalised as `pixelsToFloat32` does (the product and sum in float64, then rounded to float32). The
 * indices must be in range (the dataset checks them). `upcoming` (in range too, or null) are the rows the next call
 * will read: a hint that a backend may start fetching them from memory (wasm does), which this kernel ignores.
 * Returns `out`, which must hold exactly the batch.
 */
export function gatherBytes(
  source: Uint8Array, rowLength: number, indices: Int32Array, scale: number, shift: number, out: Float32Array,
  upcoming: Int32Array | null = null,
): Float32Array {
  checkGatherOutput(indices.length, rowLength, out);
  for (let b = 0; b < indices.length; b++) {
    const from = indices[b] * rowLength;
    const to = b * rowLength;
    for (let j = 0; j < rowLength; j++) out[to + j] = source[from + j] * scale + shift;
  }
  return out;
}

/** `out` must hold the batch exactly: a wasm kernel writing a longer batch would write past the array. */
export function checkGatherOutput(count: number, rowLength: number, out: Float32Array): void {
  if (out.length !== count * rowLength) throw new Error(`GatherBytes: ${count} rows of ${rowLength} need an output of ${count * rowLength} floats, got ${out.length}`);
}

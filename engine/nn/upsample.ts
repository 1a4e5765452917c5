import type { Tensor } from '../tensor';
import type { Size2 } from '../ops/conv';
import { interpolate, upsampleAttrs, type InterpolateOptions } from '../ops/upsample';
import { Module, pyFloat, pyRepr } from './module';

/**
 * Upsamples images by a factor or to a size (torch.nn.Upsample): 'nearest' repeats pixels, 'bilinear' blends the
 * four nearest input pixels. No parameters.
 *
 * Shape: input (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out) with H_out = size[0] or
 * ⌊H · scale_factor⌋ (W likewise).
 *
 * @example new Upsample({ scaleFactor: 2 })  // (N, 8, 7, 7) → (N, 8, 14, 14)
 */
export class Upsample extends Module {
  readonly size: Size2 | null;
  readonly scaleFactor: number | readonly [number, number] | null;
  readonly mode: 'nearest' | 'bilinear';
  readonly alignCorners: boolean | null;

  constructor(options: InterpolateOptions) {
    super();
    this.size = options.size ?? null;
    this.scaleFactor = options.scaleFactor ?? null;
    this.mode = options.mode ?? 'nearest';
    this.alignCorners = options.alignCorners ?? null;
    upsampleAttrs(1 << 20, 1 << 20, this.options()); // torch's checks of the options, now (any large image will do)
  }

  private options(): InterpolateOptions {
    return { size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners };
  }

  forward(input: Tensor): Tensor {
    return interpolate(input, this.options());
  }

  /** torch: `scale_factor=2.0, mode=nearest` (or `size=(14, 14), …`). */
  override extraRepr(): string {
    const sf = this.scaleFactor;
    const what = sf !== null
      ? `scale_factor=${typeof sf === 'number' ? pyFloat(sf) : `(${sf.map(pyFloat).join(', ')})`}`
      : `size=${pyRepr(this.size)}`;
    return `${what}, mode=${this.mode}`;
  }
}

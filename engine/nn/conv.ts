import { zeros, type Tensor } from '../tensor';
import { conv1d, conv2d, pair, type Size2 } from '../ops/conv';
import { pad } from '../ops/shape';
import { checkOptions } from '../options';
import { defaultGenerator, type Random } from '../random';
import { resetWeightAndBias } from './init';
import { checkPositiveInt } from './linear';
import { Module, pyRepr } from './module';

export interface Conv2dOptions {
  stride?: Size2;
  /** Padding on each side: a number, [h, w], 'valid' (none) or 'same' (output size = input size, stride 1). */
  padding?: Size2 | 'valid' | 'same';
  /** What the padding holds: 'zeros' (default), or the input mirrored ('reflect'), its edge ('replicate') or the
   *  opposite side ('circular'), as torch's padding_mode. */
  paddingMode?: PaddingMode;
  dilation?: Size2;
  /** Split channels into this many independent groups (inChannels and outChannels must divide by it). */
  groups?: number;
  bias?: boolean;
  rng?: Random;
}

export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';
const PADDING_MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];
const OPTIONS = ['stride', 'padding', 'paddingMode', 'dilation', 'groups', 'bias', 'rng'];

/** What every convolution checks alike (torch's _ConvNd): the padding mode, and groups dividing both channel counts. */
function checkConv(layer: string, inChannels: number, outChannels: number, groups: number, paddingMode: PaddingMode): void {
  if (!PADDING_MODES.includes(paddingMode)) {
    throw new Error(`${layer}: padding_mode must be one of 'zeros', 'reflect', 'replicate', 'circular', got '${paddingMode as string}'`);
  }
  checkPositiveInt(layer, 'in_channels', inChannels);
  checkPositiveInt(layer, 'out_channels', outChannels);
  checkPositiveInt(layer, 'groups', groups);
  if (inChannels % groups !== 0) throw new Error(`${layer}: in_channels ${inChannels} must be divisible by groups ${groups}`);
  if (outChannels % groups !== 0) throw new Error(`${layer}: out_channels ${outChannels} must be divisible by groups ${groups}`);
}

/**
 * What Conv1d and Conv2d share, as torch's _ConvNd: the checks, `weight` (outChannels, inChannels/groups, ...kernel)
 * and `bias` (outChannels) drawn from U(−1/√fanIn, 1/√fanIn), and the end of their repr.
 */
abstract class ConvNd extends Module {
  readonly groups: number;
  readonly paddingMode: PaddingMode;
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  private readonly rng: Random;

  protected constructor(
    layer: string,
    readonly inChannels: number,
    readonly outChannels: number,
    kernel: readonly number[],
    { paddingMode = 'zeros', groups = 1, bias = true, rng = defaultGenerator() }: { paddingMode?: PaddingMode; groups?: number; bias?: boolean; rng?: Random },
  ) {
    super();
    checkConv(layer, inChannels, outChannels, groups, paddingMode);
    this.groups = groups;
    this.paddingMode = paddingMode;
    this.rng = rng;
    this.weight = this.registerParameter('weight', zeros([outChannels, inChannels / groups, ...kernel]));
    this.bias = this.registerParameter('bias', bias ? zeros([outChannels]) : null);
    this.resetParameters();
  }

  override resetParameters(): void {
    resetWeightAndBias(this.weight, this.bias, this.rng);
  }

  /** groups, bias and padding_mode, as torch writes them after the sizes. */
  protected reprTail(): string {
    let s = this.groups !== 1 ? `, groups=${this.groups}` : '';
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }
}

/**
 * 2-D convolution over images (torch.nn.Conv2d).
 *
 * Shape:
 * - Input: (N, inChannels, H, W).
 * - Output: (N, outChannels, H_out, W_out) with
 *   H_out = ⌊(H + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1 (W_out likewise).
 *
 * Parameters: `weight` (outChannels, inChannels/groups, kh, kw) and `bias` (outChannels), both drawn from
 * U(−1/√fanIn, 1/√fanIn) with fanIn = inChannels/groups·kh·kw, as in torch.
 *
 * @example new Conv2d(1, 32, 3, { padding: 1 })  // (N, 1, 28, 28) → (N, 32, 28, 28)
 */
export class Conv2d extends ConvNd {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | 'valid' | 'same';
  readonly dilation: [number, number];

  constructor(inChannels: number, outChannels: number, kernelSize: Size2, options: Conv2dOptions = {}) {
    checkOptions('Conv2d', options, OPTIONS);
    const kernel = pair('Conv2d', 'kernel_size', kernelSize, 1);
    super('Conv2d', inChannels, outChannels, kernel, options);
    const { stride = 1, padding = 0, dilation = 1 } = options;
    this.kernelSize = kernel;
    this.stride = pair('Conv2d', 'stride', stride, 1);
    this.dilation = pair('Conv2d', 'dilation', dilation, 1);
    if (padding === 'same' && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
      throw new Error("Conv2d: padding='same' is not supported for strided convolutions");
    }
    this.padding = padding === 'same' || padding === 'valid' ? padding : pair('Conv2d', 'padding', padding, 0);
  }

  forward(input: Tensor): Tensor {
    if (input.ndim !== 4 || input.shape[1] !== this.inChannels) {
      throw new Error(
        `Conv2d: expected input (N, ${this.inChannels}, H, W), got shape [${input.shape}]` +
          (input.ndim === 2 ? '; reshape flat images to (N, C, H, W) first' : ''),
      );
    }
    const attrs = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === 'zeros') return conv2d(input, this.weight, this.bias, { ...attrs, padding: this.padding });
    // torch pads explicitly, then convolves without padding ('same' splits an odd total with the extra on the end)
    return conv2d(pad(input, this.explicitPadding(), this.paddingMode), this.weight, this.bias, { ...attrs, padding: 0 });
  }

  /** [left, right, top, bottom], as torch's _reversed_padding_repeated_twice. */
  private explicitPadding(): number[] {
    if (this.padding === 'valid') return [0, 0, 0, 0];
    if (this.padding === 'same') {
      const split = (d: number, k: number) => [Math.floor((d * (k - 1)) / 2), d * (k - 1) - Math.floor((d * (k - 1)) / 2)];
      return [...split(this.dilation[1], this.kernelSize[1]), ...split(this.dilation[0], this.kernelSize[0])];
    }
    const [ph, pw] = this.padding;
    return [pw, pw, ph, ph];
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding[0] !== 0 || this.padding[1] !== 0) s += `, padding=${pyRepr(this.padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${pyRepr(this.dilation)}`;
    return s + this.reprTail();
  }
}

export interface Conv1dOptions {
  stride?: number;
  /** Padding on each end: a number, 'valid' (none) or 'same' (output length = input length, stride 1). */
  padding?: number | 'valid' | 'same';
  /** What the padding holds, as Conv2d's: 'zeros' (default), 'reflect', 'replicate' or 'circular'. */
  paddingMode?: PaddingMode;
  dilation?: number;
  groups?: number;
  bias?: boolean;
  rng?: Random;
}

/**
 * 1-D convolution over sequences (torch.nn.Conv1d): each output channel is one filter slid along the length.
 *
 * Shape:
 * - Input: (N, inChannels, L) (or unbatched (inChannels, L)). An MNIST image viewed as [28, 28] is 28 channels
 *   (its rows) along 28 steps; viewed as [1, 784], one channel of 784 steps.
 * - Output: (N, outChannels, L_out), L_out = ⌊(L + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1.
 *
 * Parameters: `weight` (outChannels, inChannels/groups, kernel) and `bias` (outChannels), both drawn from
 * U(−1/√fanIn, 1/√fanIn) with fanIn = inChannels/groups·kernel, as in torch.
 *
 * @example new Conv1d(28, 32, 3, { padding: 1 })  // (N, 28, 28) → (N, 32, 28)
 */
export class Conv1d extends ConvNd {
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number | 'valid' | 'same';
  readonly dilation: number;

  constructor(inChannels: number, outChannels: number, kernelSize: number, options: Conv1dOptions = {}) {
    checkOptions('Conv1d', options, OPTIONS);
    const { stride = 1, padding = 0, dilation = 1 } = options;
    for (const [name, value] of [['kernel_size', kernelSize], ['stride', stride], ['dilation', dilation]] as const) checkPositiveInt('Conv1d', name, value);
    if (padding === 'same' && stride !== 1) throw new Error("Conv1d: padding='same' is not supported for strided convolutions");
    if (typeof padding === 'number' && !(Number.isInteger(padding) && padding >= 0)) throw new Error(`Conv1d: padding must be an integer ≥ 0, 'valid' or 'same', got ${padding}`);
    super('Conv1d', inChannels, outChannels, [kernelSize], options);
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.padding = padding;
    this.dilation = dilation;
  }

  forward(input: Tensor): Tensor {
    if (input.ndim !== 3 || input.shape[1] !== this.inChannels) {
      throw new Error(
        `Conv1d: expected input (N, ${this.inChannels}, L), got shape [${input.shape}]` +
          (input.ndim === 4 ? '; Conv1d reads sequences: view an image as (N, 28, 28) or (N, 1, 784)' : ''),
      );
    }
    const attrs = { stride: this.stride, dilation: this.dilation, groups: this.groups };
    if (this.paddingMode === 'zeros') return conv1d(input, this.weight, this.bias, { ...attrs, padding: this.padding });
    // As torch: pad explicitly ('same' puts the odd one at the end), then convolve without padding.
    const total = this.padding === 'same' ? this.dilation * (this.kernelSize - 1) : this.padding === 'valid' ? 0 : 2 * this.padding;
    const before = this.padding === 'same' ? Math.floor(total / 2) : total / 2;
    return conv1d(pad(input, [before, total - before], this.paddingMode), this.weight, this.bias, { ...attrs, padding: 0 });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=(${this.kernelSize},), stride=(${this.stride},)`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding !== 0) s += `, padding=(${this.padding},)`;
    if (this.dilation !== 1) s += `, dilation=(${this.dilation},)`;
    return s + this.reprTail();
  }
}

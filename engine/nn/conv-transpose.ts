import { zeros, type Tensor } from '../tensor';
import { pair, type Size2 } from '../ops/conv';
import { convTranspose2d } from '../ops/conv-transpose';
import { checkOptions } from '../options';
import { defaultGenerator, type Random } from '../random';
import { calculateFanInAndFanOut, kaimingUniform, uniform } from './init';
import { checkPositiveInt } from './linear';
import { Module, pyRepr } from './module';

export interface ConvTranspose2dOptions {
  stride?: Size2;
  /** Rows/columns cut from each side of the output: the padding of the conv2d this one undoes. */
  padding?: Size2;
  /** Extra rows/columns at the bottom/right of the output (smaller than the stride). */
  outputPadding?: Size2;
  /** Split channels into this many independent groups (inChannels and outChannels must divide by it). */
  groups?: number;
  bias?: boolean;
  dilation?: Size2;
  rng?: Random;
}

/**
 * The transposed 2-D convolution (torch.nn.ConvTranspose2d): the gradient of a Conv2d with its input, used to
 * upsample learned features, e.g. in an autoencoder's decoder.
 *
 * Shape:
 * - Input: (N, inChannels, H, W).
 * - Output: (N, outChannels, H_out, W_out) with
 *   H_out = (H − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1 (W_out likewise).
 *
 * Parameters: `weight` (inChannels, outChannels/groups, kh, kw), torch's layout, and `bias` (outChannels), both drawn
 * from U(−1/√fanIn, 1/√fanIn) with fanIn = outChannels/groups·kh·kw (weight.size(1)·kh·kw, as torch computes it).
 * padding_mode is 'zeros' only, as in torch.
 *
 * @example new ConvTranspose2d(16, 8, 2, { stride: 2 })  // (N, 16, 7, 7) → (N, 8, 14, 14)
 */
export class ConvTranspose2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number];
  readonly outputPadding: [number, number];
  readonly dilation: [number, number];
  readonly groups: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  private readonly rng: Random;

  constructor(readonly inChannels: number, readonly outChannels: number, kernelSize: Size2, options: ConvTranspose2dOptions = {}) {
    super();
    const name = 'ConvTranspose2d';
    checkOptions(name, options, ['stride', 'padding', 'outputPadding', 'groups', 'bias', 'dilation', 'rng']);
    const { stride = 1, padding = 0, outputPadding = 0, groups = 1, bias = true, dilation = 1, rng = defaultGenerator() } = options;
    checkPositiveInt(name, 'in_channels', inChannels);
    checkPositiveInt(name, 'out_channels', outChannels);
    checkPositiveInt(name, 'groups', groups);
    if (inChannels % groups !== 0) throw new Error(`${name}: in_channels ${inChannels} must be divisible by groups ${groups}`);
    if (outChannels % groups !== 0) throw new Error(`${name}: out_channels ${outChannels} must be divisible by groups ${groups}`);
    this.kernelSize = pair(name, 'kernel_size', kernelSize, 1);
    this.stride = pair(name, 'stride', stride, 1);
    this.padding = pair(name, 'padding', padding, 0);
    this.outputPadding = pair(name, 'output_padding', outputPadding, 0);
    this.dilation = pair(name, 'dilation', dilation, 1);
    if (this.outputPadding[0] >= this.stride[0] || this.outputPadding[1] >= this.stride[1]) {
      throw new Error(`${name}: output_padding ${pyRepr(this.outputPadding)} must be smaller than stride ${pyRepr(this.stride)}`);
    }
    this.groups = groups;
    this.rng = rng;
    const [kh, kw] = this.kernelSize;
    this.weight = this.registerParameter('weight', zeros([inChannels, outChannels / groups, kh, kw]));
    this.bias = this.registerParameter('bias', bias ? zeros([outChannels]) : null);
    this.resetParameters();
  }

  override resetParameters(): void {
    kaimingUniform(this.weight, { a: Math.sqrt(5), rng: this.rng });
    if (this.bias !== null) {
      const { fanIn } = calculateFanInAndFanOut(this.weight.shape);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform(this.bias, -bound, bound, this.rng);
    }
  }

  forward(input: Tensor): Tensor {
    if (input.ndim !== 4 || input.shape[1] !== this.inChannels) {
      throw new Error(`ConvTranspose2d: expected input (N, ${this.inChannels}, H, W), got shape [${input.shape}]`);
    }
    const { stride, padding, outputPadding, groups, dilation } = this;
    return convTranspose2d(input, this.weight, this.bias, { stride, padding, outputPadding, groups, dilation });
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}`;
    if (this.padding[0] !== 0 || this.padding[1] !== 0) s += `, padding=${pyRepr(this.padding)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1) s += `, dilation=${pyRepr(this.dilation)}`;
    if (this.outputPadding[0] !== 0 || this.outputPadding[1] !== 0) s += `, output_padding=${pyRepr(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    return s;
  }
}

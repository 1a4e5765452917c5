import type { Tensor } from '../tensor';
import { adaptiveAvgPool2d, avgPool2d, maxPool2d, maxPool2dWithIndices } from '../ops/index';
import { checkOptions } from '../options';
import type { Size2 } from '../ops/conv';
import { Module, pyRepr } from './module';

export interface MaxPool2dOptions {
  /** Defaults to kernelSize (non-overlapping windows). */
  stride?: Size2 | null;
  /** Implicit −∞ padding on each side; at most half the kernel. */
  padding?: Size2;
  dilation?: Size2;
  /** Round the output size up instead of down. */
  ceilMode?: boolean;
  /** forward returns [output, indices]: each maximum's flat index iy·W + ix in its plane (int32), as torch's. */
  returnIndices?: boolean;
}

/**
 * Max over each kernelSize window (torch.nn.MaxPool2d).
 *
 * Shape: input (N, C, H, W) or (C, H, W); output (N, C, H_out, W_out) with
 * H_out = ⌊(H + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1. With returnIndices, also the indices (int32,
 * the output's shape).
 *
 * @example new MaxPool2d(2)  // (N, 32, 28, 28) → (N, 32, 14, 14)
 */
export class MaxPool2d extends Module {
  readonly stride: Size2;
  readonly padding: Size2;
  readonly dilation: Size2;
  readonly ceilMode: boolean;
  readonly returnIndices: boolean;

  constructor(readonly kernelSize: Size2, options: MaxPool2dOptions = {}) {
    super();
    checkOptions('MaxPool2d', options, ['stride', 'padding', 'dilation', 'ceilMode', 'returnIndices']);
    const { stride = null, padding = 0, dilation = 1, ceilMode = false, returnIndices = false } = options;
    this.stride = stride ?? kernelSize;
    this.padding = padding;
    this.dilation = dilation;
    this.ceilMode = ceilMode;
    this.returnIndices = returnIndices;
  }

  /** The pooled input, or [pooled, indices] with returnIndices. */
  forward(input: Tensor): Tensor | [Tensor, Tensor] {
    const { kernelSize, stride, padding, dilation, ceilMode } = this;
    const opts = { kernelSize, stride, padding, dilation, ceilMode };
    return this.returnIndices ? maxPool2dWithIndices(input, opts) : maxPool2d(input, opts);
  }

  override extraRepr(): string {
    const { kernelSize, stride, padding, dilation, ceilMode } = this;
    return `kernel_size=${pyRepr(kernelSize)}, stride=${pyRepr(stride)}, padding=${pyRepr(padding)}, dilation=${pyRepr(dilation)}, ceil_mode=${pyRepr(ceilMode)}`;
  }
}

export interface AvgPool2dOptions {
  stride?: Size2 | null;
  padding?: Size2;
  ceilMode?: boolean;
  /** Count padded zeros in the average (default true, as torch). */
  countIncludePad?: boolean;
  divisorOverride?: number | null;
}

/**
 * Mean over each kernelSize window (torch.nn.AvgPool2d). Shape: as MaxPool2d (without dilation).
 */
export class AvgPool2d extends Module {
  readonly stride: Size2;
  readonly padding: Size2;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(readonly kernelSize: Size2, options: AvgPool2dOptions = {}) {
    super();
    checkOptions('AvgPool2d', options, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']);
    const { stride = null, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride = null } = options;
    this.stride = stride ?? kernelSize;
    this.padding = padding;
    this.ceilMode = ceilMode;
    this.countIncludePad = countIncludePad;
    this.divisorOverride = divisorOverride;
  }

  forward(input: Tensor): Tensor {
    const { kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride } = this;
    return avgPool2d(input, { kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride });
  }

  override extraRepr(): string {
    return `kernel_size=${pyRepr(this.kernelSize)}, stride=${pyRepr(this.stride)}, padding=${pyRepr(this.padding)}`;
  }
}

/**
 * Average pooling to a fixed output size, whatever the input size (torch.nn.AdaptiveAvgPool2d); window i along
 * a dim of length L covers [⌊i·L/out⌋, ⌈(i+1)·L/out⌉).
 *
 * Shape: input (N, C, H, W) or (C, H, W); output (N, C, oh, ow). A null size keeps that input dim.
 *
 * @example new AdaptiveAvgPool2d(1)  // global average pooling: (N, C, H, W) → (N, C, 1, 1)
 */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | readonly (number | null)[]) {
    super();
  }

  forward(input: Tensor): Tensor {
    return adaptiveAvgPool2d(input, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${pyRepr(this.outputSize)}`;
  }
}

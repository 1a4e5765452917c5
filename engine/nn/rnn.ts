/**
 * Recurrent layers (torch.nn.RNN, LSTM, GRU), built from ops (linear, slice, sigmoid, tanh, cat), so autograd
 * derives backpropagation through time. Weight names, shapes and gate order are torch's, so a PyTorch state
 * dict loads as is:
 *
 *   weight_ih_l{k}: (G·hidden, input_k)   weight_hh_l{k}: (G·hidden, hidden)   bias_ih_l{k}, bias_hh_l{k}: (G·hidden)
 *   G = 1 (RNN), 4 (LSTM: gates i, f, g, o), 3 (GRU: gates r, z, n); input_0 = inputSize, later layers hiddenSize
 *   (2·hiddenSize when bidirectional, whose second direction adds the same four with the suffix `_reverse`).
 *
 * Shape (L = sequence length, N = batch, H = hiddenSize):
 * - input: (L, N, inputSize), or (N, L, inputSize) with batchFirst, or unbatched (L, inputSize).
 * - h0 (optional, zeros by default): (D·numLayers, N, H), or (D·numLayers, H) unbatched, D = 2 if bidirectional
 *   else 1. LSTM takes [h0, c0]; with projSize, h0, hN and the outputs are projSize wide instead of H.
 * - forward returns [output, hN] (LSTM: [output, [hN, cN]]) like torch: output (L, N, D·H) or (N, L, D·H) with
 *   batchFirst, the top layer's h at every step (both directions side by side); hN (D·numLayers, N, H), every
 *   layer's (and direction's) last h.
 * - with `returnLastStep: true`, forward returns only hN[-1], the top layer's last h, (N, H), so the layer can sit
 *   in a Sequential before a Linear: an MNIST image (N, 28, 28) read row by row is a 28-step sequence.
 *
 * @example
 * const rnn = new LSTM(28, 64, { batchFirst: true, returnLastStep: true });
 * const model = new Sequential(rnn, new Linear(64, 10));  // (N, 28, 28) → (N, 10)
 */
import { zeros, type Tensor } from '../tensor';
import { add, cat, dropout, matmul, mul, relu, reshape, sigmoid, slice, squeeze, sub, tanh, transpose, unsqueeze } from '../ops/index';
import { defaultGenerator, type Random } from '../random';
import { uniform } from './init';
import { checkPositiveInt } from './linear';
import { checkOptions } from '../options';
import { Module, pyFloat } from './module';

export interface RNNBaseOptions {
  /** Stacked layers; layer k > 0 reads layer k−1's outputs (default 1). */
  numLayers?: number;
  /** Learn bias_ih and bias_hh (default true). */
  bias?: boolean;
  /** Input and output are (N, L, C) instead of (L, N, C) (default false). */
  batchFirst?: boolean;
  /** Dropout probability on each layer's outputs except the last, in training mode (default 0). */
  dropout?: number;
  /** forward returns only the top layer's last hidden state, (N, H), instead of [output, hidden]. */
  returnLastStep?: boolean;
  /** Generator for the initial weights and the dropout masks (default: defaultGenerator()). */
  rng?: Random;
  /**
   * Run each layer a second time from the last step back (weights `*_reverse`) and join the two directions'
   * outputs: output (…, 2H), hN (2·numLayers, N, H) ordered layer by layer, forward then reverse (default false).
   */
  bidirectional?: boolean;
  /**
   * LSTM only: project each h to this size with a learned `weight_hr` (projSize, H), h = W_hr·(o ⊙ tanh(c));
   * outputs and h0/hN are then projSize wide, c stays H (default 0: no projection; must be < hiddenSize).
   */
  projSize?: number;
}

export interface RNNOptions extends RNNBaseOptions {
  /** The cell's activation: h' = act(W_ih·x + b_ih + W_hh·h + b_hh) (default 'tanh'). */
  nonlinearity?: 'tanh' | 'relu';
}

type Mode = 'RNN_TANH' | 'RNN_RELU' | 'LSTM' | 'GRU';

const GATES: Record<Mode, number> = { RNN_TANH: 1, RNN_RELU: 1, LSTM: 4, GRU: 3 };

interface LayerWeights {
  wIh: Tensor;
  wHh: Tensor;
  bIh: Tensor | null;
  bHh: Tensor | null;
  /** LSTM with projSize: weight_hr. */
  wHr: Tensor | null;
}

/** Shared by RNN, LSTM and GRU: parameters, input layout, the loop over layers and time. */
abstract class RNNBase extends Module {
  readonly numLayers: number;
  readonly bias: boolean;
  readonly batchFirst: boolean;
  readonly dropout: number;
  readonly returnLastStep: boolean;
  readonly bidirectional: boolean;
  /** LSTM's projection size; 0 for none. */
  readonly projSize: number;
  /** Per layer, per direction: layers[k·directions + d]. */
  protected readonly layers: LayerWeights[] = [];
  private readonly rng: Random;

  constructor(
    protected readonly mode: Mode,
    readonly inputSize: number,
    readonly hiddenSize: number,
    options: RNNBaseOptions,
  ) {
    super();
    const name = this.constructor.name;
    checkOptions(name, options, [
      'numLayers', 'bias', 'batchFirst', 'dropout', 'returnLastStep', 'rng', 'bidirectional', 'projSize',
      ...(mode === 'RNN_TANH' || mode === 'RNN_RELU' ? ['nonlinearity'] : []),
    ]);
    const {
      numLayers = 1, bias = true, batchFirst = false, dropout = 0, returnLastStep = false, bidirectional = false, projSize = 0,
      rng = defaultGenerator(),
    } = options;
    if (projSize !== 0) {
      if (mode !== 'LSTM') throw new Error(`${name}: proj_size is only supported for LSTM, not RNN or GRU`);
      if (!(Number.isInteger(projSize) && projSize > 0 && projSize < hiddenSize)) {
        throw new Error(`${name}: proj_size must be an integer ≥ 0 and smaller than hidden_size ${hiddenSize}, got ${projSize}`);
      }
    }
    checkPositiveInt(name, 'input_size', inputSize);
    checkPositiveInt(name, 'hidden_size', hiddenSize);
    checkPositiveInt(name, 'num_layers', numLayers);
    if (!(dropout >= 0 && dropout <= 1)) throw new Error(`${name}: dropout must be in [0, 1], got ${dropout}`);
    this.numLayers = numLayers;
    this.bias = bias;
    this.batchFirst = batchFirst;
    this.dropout = dropout;
    this.returnLastStep = returnLastStep;
    this.bidirectional = bidirectional;
    this.projSize = projSize;
    this.rng = rng;
    const g = GATES[mode] * hiddenSize;
    const out = this.outputSize;
    for (let k = 0; k < numLayers; k++) {
      const inK = k === 0 ? inputSize : out * this.directions;
      for (let d = 0; d < this.directions; d++) {
        const sfx = `l${k}${d === 1 ? '_reverse' : ''}`;
        this.layers.push({
          wIh: this.registerParameter(`weight_ih_${sfx}`, zeros([g, inK])),
          wHh: this.registerParameter(`weight_hh_${sfx}`, zeros([g, out])),
          bIh: this.registerParameter(`bias_ih_${sfx}`, bias ? zeros([g]) : null),
          bHh: this.registerParameter(`bias_hh_${sfx}`, bias ? zeros([g]) : null),
          wHr: this.registerParameter(`weight_hr_${sfx}`, projSize > 0 ? zeros([projSize, hiddenSize]) : null),
        });
      }
    }
    this.resetParameters();
  }

  /** Every weight and bias from U(−1/√H, 1/√H), as torch. */
  override resetParameters(): void {
    const bound = 1 / Math.sqrt(this.hiddenSize);
    for (const p of this.parameters(false)) uniform(p, -bound, bound, this.rng);
  }

  /**
   * One time step: gx = W_ih·x_t + b_ih and gh = W_hh·h + b_hh (both (N, G·H)), state = [h] or [h, c].
   * Returns the new state.
   */
  protected abstract cell(gx: Tensor, gh: Tensor, state: Tensor[]): Tensor[];

  /** The size of h (and of each direction's output): projSize when projecting, else hiddenSize. */
  get outputSize(): number {
    return this.projSize > 0 ? this.projSize : this.hiddenSize;
  }

  /** 2 when bidirectional, else 1. */
  protected get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  /** The number of state tensors per layer: 1 (h), or 2 for LSTM (h, c). */
  protected get stateCount(): number {
    return this.mode === 'LSTM' ? 2 : 1;
  }

  /**
   * Runs the whole sequence and returns the time-major top-layer outputs (L, N, H) and the final states
   * per layer, each (numLayers, N, H). Inputs are already (L, N, C); states are given or zeros.
   *
   * Each layer works on a list of per-step tensors (N, C): layer 0 slices x once, higher layers take the
   * previous layer's h's as they are. Slicing a concatenated (L, N, ·) tensor at every step instead would make
   * backward build L dense (L, N, ·) gradients per layer.
   */
  protected run(x: Tensor, initial: Tensor[] | null): { output: Tensor; final: Tensor[] } {
    const [steps, batch, features] = x.shape;
    const finals: Tensor[][] = Array.from({ length: this.stateCount }, () => []);
    let inputs = Array.from({ length: steps }, (_, t) => reshape(slice(x, 0, t, t + 1), [batch, features]));
    for (let k = 0; k < this.numLayers; k++) {
      const outputs: Tensor[][] = [];
      for (let d = 0; d < this.directions; d++) {
        const row = k * this.directions + d; // this layer and direction's row of h0 / hN and of this.layers
        const w = this.layers[row];
        // Transposed once per forward rather than once per step; their gradients sum over steps in autograd.
        const wIhT = transpose(w.wIh, 0, 1);
        const wHhT = transpose(w.wHh, 0, 1);
        const wHrT = w.wHr ? transpose(w.wHr, 0, 1) : null;
        const affine = (v: Tensor, wT: Tensor, b: Tensor | null) => (b ? add(matmul(v, wT), b) : matmul(v, wT));
        let state = Array.from({ length: this.stateCount }, (_, s) => {
          const size = s === 0 ? this.outputSize : this.hiddenSize; // h is projected, c is not
          return initial ? reshape(slice(initial[s], 0, row, row + 1), [batch, size]) : zeros([batch, size]);
        });
        const out: Tensor[] = new Array<Tensor>(steps);
        for (let i = 0; i < steps; i++) {
          const t = d === 0 ? i : steps - 1 - i; // the reverse direction reads the sequence from its end
          state = this.cell(affine(inputs[t], wIhT, w.bIh), affine(state[0], wHhT, w.bHh), state);
          if (wHrT) state = [matmul(state[0], wHrT), ...state.slice(1)]; // h = W_hr·(o ⊙ tanh(c))
          out[t] = state[0];
        }
        outputs.push(out);
        state.forEach((s, i) => finals[i].push(unsqueeze(s, 0)));
      }
      const joined = outputs.length === 1 ? outputs[0] : outputs[0].map((h, t) => cat([h, outputs[1][t]], 1));
      const dropBetween = this.dropout > 0 && this.training && k < this.numLayers - 1;
      inputs = dropBetween ? joined.map((h) => dropout(h, this.dropout, true, this.rng)) : joined;
    }
    return { output: cat(inputs.map((h) => unsqueeze(h, 0)), 0), final: finals.map((f) => cat(f, 0)) };
  }

  /** Validates and normalises input to (L, N, C); returns whether it was unbatched. */
  protected prepareInput(input: Tensor): { x: Tensor; unbatched: boolean } {
    const name = this.constructor.name;
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new Error(`${name}: expected input of 2 (unbatched) or 3 dimensions, got shape [${input.shape}]`);
    }
    if (input.shape[input.ndim - 1] !== this.inputSize) {
      throw new Error(`${name}: expected input with last dimension ${this.inputSize} (input_size), got shape [${input.shape}]`);
    }
    if (input.ndim === 2) return { x: unsqueeze(input, 1), unbatched: true };
    return { x: this.batchFirst ? transpose(input, 0, 1) : input, unbatched: false };
  }

  /**
   * Validates a given initial state: (D·numLayers, N, H), or (D·numLayers, H) unbatched; D = 2 if bidirectional, and
   * h0 is projSize wide when projecting.
   */
  protected prepareState(h: Tensor, label: string, batch: number, unbatched: boolean): Tensor {
    const rows = this.numLayers * this.directions;
    const size = label === 'c0' ? this.hiddenSize : this.outputSize;
    const expected = unbatched ? [rows, size] : [rows, batch, size];
    if (h.ndim !== expected.length || h.shape.some((d, i) => d !== expected[i])) {
      throw new Error(`${this.constructor.name}: expected ${label} of shape [${expected}], got [${h.shape}]`);
    }
    return unbatched ? unsqueeze(h, 1) : h;
  }

  /** Output back to the caller's layout. */
  protected finishOutput(output: Tensor, unbatched: boolean): Tensor {
    if (unbatched) return squeeze(output, 1);
    return this.batchFirst ? transpose(output, 0, 1) : output;
  }

  /** hN[-1], the top layer's last h: (N, H), or (H) unbatched (bidirectional: the reverse direction's, at step 0). */
  protected lastStep(hN: Tensor, unbatched: boolean): Tensor {
    const rows = this.numLayers * this.directions;
    const top = reshape(slice(hN, 0, rows - 1, rows), hN.shape.slice(1));
    return unbatched ? squeeze(top, 0) : top;
  }

  /** torch's text (which does not show RNN's nonlinearity); return_last_step appears only when set. */
  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.projSize !== 0) s += `, proj_size=${this.projSize}`;
    if (this.numLayers !== 1) s += `, num_layers=${this.numLayers}`;
    if (!this.bias) s += ', bias=False';
    if (this.batchFirst) s += ', batch_first=True';
    if (this.dropout !== 0) s += `, dropout=${pyFloat(this.dropout)}`;
    if (this.bidirectional) s += ', bidirectional=True';
    if (this.returnLastStep) s += ', return_last_step=True';
    return s;
  }
}

/** RNN and GRU carry one state tensor (h), so they share the forward; LSTM carries (h, c) and has its own. */
abstract class SingleStateRNN extends RNNBase {
  forward(input: Tensor, h0?: Tensor): [Tensor, Tensor] | Tensor {
    const [output, hN] = this.forwardSequence(input, h0);
    return this.returnLastStep ? this.lastStep(hN, input.ndim === 2) : [output, hN];
  }

  /** Always [output, hN], whatever returnLastStep says (typed, for code that wants both). */
  forwardSequence(input: Tensor, h0?: Tensor): [Tensor, Tensor] {
    const { x, unbatched } = this.prepareInput(input);
    const initial = h0 ? [this.prepareState(h0, 'h0', x.shape[1], unbatched)] : null;
    const { output, final } = this.run(x, initial);
    return [this.finishOutput(output, unbatched), unbatched ? squeeze(final[0], 1) : final[0]];
  }
}

/**
 * Elman RNN (torch.nn.RNN): h_t = act(W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh), act = tanh or relu.
 * forward(input, h0?) → [output, hN], or the last step (N, H) with returnLastStep. See the file comment for shapes.
 */
export class RNN extends SingleStateRNN {
  readonly nonlinearity: 'tanh' | 'relu';

  constructor(inputSize: number, hiddenSize: number, options: RNNOptions = {}) {
    const nonlinearity = options.nonlinearity ?? 'tanh';
    if (nonlinearity !== 'tanh' && nonlinearity !== 'relu') {
      throw new Error(`RNN: unknown nonlinearity '${nonlinearity as string}', expected 'tanh' or 'relu'`);
    }
    super(nonlinearity === 'tanh' ? 'RNN_TANH' : 'RNN_RELU', inputSize, hiddenSize, options);
    this.nonlinearity = nonlinearity;
  }

  protected override cell(gx: Tensor, gh: Tensor): Tensor[] {
    const pre = add(gx, gh);
    return [this.nonlinearity === 'tanh' ? tanh(pre) : relu(pre)];
  }
}

/**
 * Long short-term memory (torch.nn.LSTM), gates in torch's order i, f, g, o:
 * ```text
 * i = σ(W_ii·x + b_ii + W_hi·h + b_hi)      f = σ(W_if·x + b_if + W_hf·h + b_hf)
 * g = tanh(W_ig·x + b_ig + W_hg·h + b_hg)   o = σ(W_io·x + b_io + W_ho·h + b_ho)
 * c' = f ⊙ c + i ⊙ g                        h' = o ⊙ tanh(c')
 * ```
 * forward(input, [h0, c0]?) → [output, [hN, cN]], or the last step (N, H) with returnLastStep.
 */
export class LSTM extends RNNBase {
  constructor(inputSize: number, hiddenSize: number, options: RNNBaseOptions = {}) {
    super('LSTM', inputSize, hiddenSize, options);
  }

  protected override cell(gx: Tensor, gh: Tensor, [, c]: Tensor[]): Tensor[] {
    const H = this.hiddenSize;
    const gates = add(gx, gh);
    const i = sigmoid(slice(gates, 1, 0, H));
    const f = sigmoid(slice(gates, 1, H, 2 * H));
    const g = tanh(slice(gates, 1, 2 * H, 3 * H));
    const o = sigmoid(slice(gates, 1, 3 * H, 4 * H));
    const cNext = add(mul(f, c), mul(i, g));
    return [mul(o, tanh(cNext)), cNext];
  }

  forward(input: Tensor, hx?: [Tensor, Tensor]): [Tensor, [Tensor, Tensor]] | Tensor {
    const [output, [hN, cN]] = this.forwardSequence(input, hx);
    return this.returnLastStep ? this.lastStep(hN, input.ndim === 2) : [output, [hN, cN]];
  }

  /** Always [output, [hN, cN]], whatever returnLastStep says. */
  forwardSequence(input: Tensor, hx?: [Tensor, Tensor]): [Tensor, [Tensor, Tensor]] {
    const { x, unbatched } = this.prepareInput(input);
    const initial = hx
      ? [this.prepareState(hx[0], 'h0', x.shape[1], unbatched), this.prepareState(hx[1], 'c0', x.shape[1], unbatched)]
      : null;
    const { output, final } = this.run(x, initial);
    const [hN, cN] = unbatched ? final.map((s) => squeeze(s, 1)) : final;
    return [this.finishOutput(output, unbatched), [hN, cN]];
  }
}

/**
 * Gated recurrent unit (torch.nn.GRU), gates in torch's order r, z, n:
 * ```text
 * r = σ(W_ir·x + b_ir + W_hr·h + b_hr)      z = σ(W_iz·x + b_iz + W_hz·h + b_hz)
 * n = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn))
 * h' = (1 − z) ⊙ n + z ⊙ h
 * ```
 * forward(input, h0?) → [output, hN], or the last step (N, H) with returnLastStep.
 */
export class GRU extends SingleStateRNN {
  constructor(inputSize: number, hiddenSize: number, options: RNNBaseOptions = {}) {
    super('GRU', inputSize, hiddenSize, options);
  }

  protected override cell(gx: Tensor, gh: Tensor, [h]: Tensor[]): Tensor[] {
    const H = this.hiddenSize;
    const r = sigmoid(add(slice(gx, 1, 0, H), slice(gh, 1, 0, H)));
    const z = sigmoid(add(slice(gx, 1, H, 2 * H), slice(gh, 1, H, 2 * H)));
    const n = tanh(add(slice(gx, 1, 2 * H, 3 * H), mul(r, slice(gh, 1, 2 * H, 3 * H))));
    // (1 − z)·n + z·h, written as n + z·(h − n): one op fewer, same value.
    return [add(n, mul(z, sub(h, n)))];
  }
}

/**
 * linear(x, W, b) = x·Wᵀ + b (torch.nn.functional.linear), as one op so that neither pass copies Wᵀ: the Matmul
 * kernel reads W [out, in] transposed in place (transB), and the bias is added into the product while it is fresh.
 *
 *   forward   y  = x·Wᵀ + b        x [N, in], W [out, in], b [out]  →  y [N, out]
 *   backward  dx = g·W             [N, out]·[out, in]            (no transpose)
 *             dW = gᵀ·x            [out, N]·[N, in]              (g read transposed in place: transA)
 *             db = Σₙ g[n, :]
 *
 * Any leading dims: (*, in) → (*, out), flattened to 2-D around the core (reshape carries their gradient).
 * The composed form, add(matmul(x, transpose(W, 0, 1)), b), is the oracle in linear.test.ts.
 */
import { deviceInput, getKernel } from '../backend/backend';
import * as K from '../backend/kernel-names';
import { recordOp } from '../autograd';
import { Tensor } from '../tensor';
import { reshape } from './shape';
import { floatDType, kernelInput } from './util';

const single = new Int32Array(1);

export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  const inFeatures = weight.shape[1];
  const last = input.shape[input.ndim - 1];
  if (weight.ndim !== 2 || input.ndim === 0 || last !== inFeatures) {
    throw new Error(`linear: input shape [${input.shape}] does not end in in_features=${inFeatures} (weight [${weight.shape}])`);
  }
  const outFeatures = weight.shape[0];
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outFeatures)) {
    throw new Error(`linear: bias shape [${bias.shape}] does not match out_features=${outFeatures} (weight [${weight.shape}])`);
  }
  if (input.ndim === 2) return linear2d(input, weight, bias);
  const y = linear2d(reshape(input, [-1, inFeatures]), weight, bias);
  return reshape(y, [...input.shape.slice(0, -1), outFeatures]);
}

function linear2d(x: Tensor, w: Tensor, b: Tensor | null): Tensor {
  const [rows, inF] = x.shape;
  const outF = w.shape[0];
  const dtype = b ? floatDType(x.dtype, w.dtype, b.dtype) : floatDType(x.dtype, w.dtype);
  const matmul = getKernel(K.Matmul);
  // kernelInput: a backend that keeps tensors on its device (wasm) gets its own handles, and may hand one back.
  const product = matmul(kernelInput(K.Matmul, x), kernelInput(K.Matmul, w), { m: rows, k: inF, n: outF, aOffsets: single, bOffsets: single, transB: true, dtype });
  let out = new Tensor(product, [rows, outF]);
  if (b && deviceInput(K.Add, out.device) !== null) {
    // A GPU backend adds the bias where the product is, rather than downloading it.
    out = new Tensor(getKernel(K.Add)(product, out.shape, kernelInput(K.Add, b), b.shape, out.shape, dtype), out.shape);
  } else if (b) {
    const data = out.data;
    const bd = b.data;
    for (let r = 0, o = 0; r < rows; r++) for (let j = 0; j < outF; j++, o++) data[o] += bd[j];
  }
  const inputs = b ? [x, w, b] : [x, w];
  return recordOp(out, 'linear', inputs, (g) => {
    const gradDType = floatDType(g.dtype, dtype);
    const gd = kernelInput(K.Matmul, g);
    const dx = x.requiresGrad
      ? new Tensor(matmul(gd, kernelInput(K.Matmul, w), { m: rows, k: outF, n: inF, aOffsets: single, bOffsets: single, dtype: gradDType }), [rows, inF])
      : null;
    const dw = w.requiresGrad
      ? new Tensor(matmul(gd, kernelInput(K.Matmul, x), { m: outF, k: rows, n: inF, aOffsets: single, bOffsets: single, transA: true, dtype: gradDType }), [outF, inF])
      : null;
    // Last: the sum reads g on the CPU, which downloads a device-resident g (and ends its residency).
    const db = b?.requiresGrad ? new Tensor(getKernel(K.Sum)(kernelInput(K.Sum, g), g.shape, [0], gradDType), [outF]) : null;
    return b ? [dx, dw, db] : [dx, dw];
  });
}

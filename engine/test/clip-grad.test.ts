/**
 * PyTorch parity of clipGradNorm (torch.nn.utils.clip_grad_norm_), from fixtures/clip_grad.json: the total norm
 * it returns and the gradients after clipping, for the 1-, 2-, 3- and inf-norms, clipping and not clipping.
 */
import { describe, it } from 'vitest';
import { clipGradNorm } from '../nn/index';
import { expectClose, expectCloseNumber, F32, loadFixture, toTensor, type TensorJSON } from './fixtures';

interface ClipCase {
  name: string;
  max_norm: number;
  norm_type: number | 'inf';
  grads: Record<string, TensorJSON>;
  total_norm: number;
  clipped: Record<string, TensorJSON>;
}

const fixture = loadFixture<ClipCase>('clip_grad.json');

describe(`clipGradNorm matches PyTorch ${fixture.torch}`, () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const names = Object.keys(c.grads);
      const params = names.map((k) => {
        const p = toTensor({ shape: c.grads[k].shape, data: c.grads[k].data.map(() => 0) }, { requiresGrad: true });
        p.grad = toTensor(c.grads[k]);
        return p;
      });
      const total = clipGradNorm(params, c.max_norm, c.norm_type === 'inf' ? Infinity : c.norm_type);
      expectCloseNumber(total, c.total_norm, `${c.name} total norm`, F32);
      names.forEach((k, i) => expectClose(params[i].grad, c.clipped[k], `${c.name} clipped grad of ${k}`, F32));
    });
  }
});

#!/usr/bin/python3
"""
PyTorch oracle for LayerLab's engine: writes the parity fixtures in engine/test/fixtures/.

Run from the repository root with Debian's python (it has PyTorch 1.13):

    /usr/bin/python3 engine/test/gen_fixtures.py            # everything
    /usr/bin/python3 engine/test/gen_fixtures.py ops losses  # only some files

CI has no PyTorch: the fixtures are committed and the TS parity tests (engine/test/*.test.ts) only read them.
Each case seeds torch with crc32(case name), so adding or editing one case never changes another.

Fixture format (JSON, one case per line so diffs stay readable)
---------------------------------------------------------------
A tensor is {"shape": [2, 3], "data": [...row-major...]} with float32 values written as the shortest decimal that
round-trips the float32 (at most 9 significant digits), and a value JSON can't hold as a string ("NaN", "Infinity",
"-Infinity"); float64 tensors add "dtype": "float64" (values at full double precision), integer tensors "dtype": "int32", boolean masks "dtype": "bool" (data 0/1). A plain JSON number stands for a Python scalar operand. null means "no tensor".

Every file is {"generator": ..., "torch": version, "cases": [case, ...]}. Backward is always recorded the same way:
a fixed random upstream gradient g ("grad_out", same shape as the output) and the gradients of sum(out * g) with
respect to every floating input ("grads"), i.e. the vector-Jacobian product g^T J.

ops.json      {name, op, inputs: [tensor | number], args, out, grad_out?, grads?: [tensor | null per input]}
              op is the engine's functional name (engine/DESIGN.md); args are the op's remaining arguments in the order of
              the engine signature (a list) or its options object (a dict, camelCase); see `special` in ops.test.ts.
              batchNorm adds "after": {running_mean, running_var} (the op updates them in place when training).
ops_f64.json  The first case of every op (batchNorm aside) again in float64, tensors tagged "dtype": "float64"
              and written with full double precision.
layers.json   {name, layer, args, kwargs (camelCase), repr (torch's str(module)), children? (Sequential),
               state (torch state_dict names and order, buffers included), input,
               train: {out, grad_out, grads: {input, <param name>: grad}, state_after},
               eval:  {out, grad_out, grads}}
              train and eval each start from "state" on a fresh module. state_after holds the buffers after the
              train-mode forward (BatchNorm running stats, num_batches_tracked). A module that returns
              (output, indices) (MaxPool2d with return_indices) adds "indices" (int64 values, as int32) to each mode.
losses.json   {name, loss, kwargs (camelCase, reduction included), input, target, out, grad_out?, grads?: {input}}
              For reduction 'mean' / 'sum' grad_out is a scalar tensor (shape []).
optim.json    {name, optimizer, kwargs (camelCase), params: {name: tensor}, grads: [{name: tensor} x steps],
               after: [{name: tensor} x steps]}
              Step i sets p.grad = grads[i][p] and calls step(); after[i] holds the params after that step.
              With "groups" ([{params: [names], <options>}]) the optimizer is built from parameter groups.
schedulers.json {name, scheduler, kwargs (camelCase), lr, epochs, metrics?, stepArgs?, lrs, momenta?}
              lrs[i] is the optimizer's lr during epoch i (after i scheduler steps); ReduceLROnPlateau is stepped
              with metrics[i] at the end of epoch i, CosineAnnealingWarmRestarts with stepArgs[i] (a fractional
              epoch, stepping per batch) where the case has them. The optimizer is SGD(lr) with momentum 0;
              momenta[i] is its momentum during epoch i when the scheduler changes it (OneCycleLR).
rnn.json      {name, layer, args, kwargs (camelCase), repr, state, input, h0?, c0?, out, h_n, c_n?, grad_out, grad_h_n,
               grad_c_n?, grads: {input, h0?, c0?, <param name>}}
              Backward is of sum(out * grad_out) + sum(h_n * grad_h_n) (+ sum(c_n * grad_c_n) for LSTM).
              Unbatched cases have input (L, C) and states (layers, H), as torch accepts; bidirectional ones have
              states of 2 * layers rows (layer by layer, forward then reverse).
training.json {name, children (a Sequential as in layers.json), optimizer, kwargs, loss, state, batches: [{x, y}],
               losses (per step, before that step's update), state_after, eval?: {x, out},
               scheduler?: {name, kwargs} stepped after every optimizer step}
              A few full training steps (forward, loss, zeroGrad, backward, step) of small models, the layers,
              losses and optimizers together. children kwargs may hold the engine's returnLastStep, which torch
              lacks: there the generator wraps the layer to return h_n[-1].
init.json     {name, layer, args, kwargs, stats: {state name: {n, min, max, mean, std}}}
              Statistics of torch's default initialisation for a fresh layer (values can't match: other RNG).
clip_grad.json {name, max_norm, norm_type (number or "inf"), grads: {name: tensor}, total_norm, clipped}
cnn_state.json + cnn_state.safetensors
              A small Sequential CNN's state_dict saved as torch does (float32 F32, num_batches_tracked I64), after
              one train step; {keys, input, eval_out}.
mnist_logreg.json + mnist_logreg_init.safetensors
              The seed tutorial's logistic regression (Linear 784->10, SGD lr 0.5, batch 64, pixels / 255,
              cross-entropy, no shuffle) over one epoch of the real MNIST training set read from
              ../shared/data/mnist. The .safetensors file holds the initial "weight" and "bias"; the JSON holds
              the 938 per-batch losses (each computed before that batch's step).

Not covered here: dropout's mask comes from torch's RNG, which the engine cannot reproduce, so dropout is checked
by property in engine/test/dropout.test.ts (identity in eval, keep rate, 1/(1-p) scaling, mask-consistent grad).
"""
import gzip
import json
import os
import struct
import sys
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, 'fixtures')
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
MNIST = os.path.abspath(os.path.join(ROOT, '..', 'shared', 'data', 'mnist'))

torch.set_num_threads(1)  # one summation order, so reruns write identical files


# ---------------------------------------------------------------------------------------------------------- helpers

def seed(name):
    torch.manual_seed(zlib.crc32(name.encode()))


def f32(v):
    """The shortest decimal that round-trips a float32, as a Python float (so json writes it that short)."""
    return float(str(np.float32(v)))


def finite(v):
    """JSON has no NaN or Infinity: those are written as the strings "NaN", "Infinity", "-Infinity"."""
    return v if np.isfinite(v) else ('NaN' if np.isnan(v) else ('Infinity' if v > 0 else '-Infinity'))


def enc(t):
    if t is None:
        return None
    if isinstance(t, (bool, int, float)):
        return t
    t = t.detach()
    shape = list(t.shape)
    flat = t.reshape(-1)
    if t.dtype == torch.bool:
        return {'shape': shape, 'dtype': 'bool', 'data': [int(v) for v in flat.tolist()]}
    if not t.is_floating_point():
        return {'shape': shape, 'dtype': 'int32', 'data': [int(v) for v in flat.tolist()]}
    if t.dtype == torch.float64:
        return {'shape': shape, 'dtype': 'float64', 'data': [finite(float(v)) for v in flat.tolist()]}
    return {'shape': shape, 'data': [finite(f32(v)) for v in flat.to(torch.float32).numpy()]}


def camel(s):
    head, *rest = s.split('_')
    head = head[:1].lower() + head[1:]  # T_max -> tMax
    return head + ''.join(w[:1].upper() + w[1:] for w in rest)


def camel_kwargs(kw):
    return {camel(k): (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()}


def U(*shape, lo=-2.0, hi=2.0):
    return torch.rand(shape) * (hi - lo) + lo


def N(*shape):
    return torch.randn(shape)


def P(*shape, lo=0.5, hi=2.0):
    """Positive values, away from 0 (log, sqrt, pow, div)."""
    return U(*shape, lo=lo, hi=hi)


def away_from(x, points, gap=0.05):
    """Nudge values that sit within gap of a kink (relu at 0, clamp bounds) so the derivative is unambiguous."""
    x = x.clone()
    for p in points:
        close = (x - p).abs() < gap
        x[close] = p + gap * 2 * torch.sign(x[close] - p + 1e-9)
    return x


def write(fname, cases):
    os.makedirs(FIXTURES, exist_ok=True)
    path = os.path.join(FIXTURES, fname)
    with open(path, 'w') as f:
        f.write('{"generator": "engine/test/gen_fixtures.py", "torch": %s,\n"cases": [\n' % json.dumps(torch.__version__))
        f.write(',\n'.join(json.dumps(c, separators=(',', ':')) for c in cases))
        f.write('\n]}\n')
    print(f'{fname}: {len(cases)} cases, {os.path.getsize(path)} bytes')


# -------------------------------------------------------------------------------------------------------------- ops

def ops():
    cases, cases64, seen64 = [], [], set()

    def case(name, op, fn, make, args=None, grad=True, f64=False):
        seed(name)
        raw = make()
        if f64:
            raw = [x.double() if isinstance(x, torch.Tensor) and x.is_floating_point() else x for x in raw]
        leaves = []
        for x in raw:
            if isinstance(x, torch.Tensor):
                x = x.detach().clone()
                if grad and x.is_floating_point():
                    x.requires_grad_(True)
            leaves.append(x)
        out = fn(*leaves)
        rec = {'name': name, 'op': op, 'inputs': [enc(x) for x in raw], 'args': args if args is not None else [],
               'out': enc(out)}
        if grad and out.is_floating_point():
            g = N(*out.shape).to(out.dtype)
            (out * g).sum().backward()
            rec['grad_out'] = enc(g)
            rec['grads'] = [enc(x.grad) if isinstance(x, torch.Tensor) and x.requires_grad else None for x in leaves]
        (cases64 if f64 else cases).append(rec)
        # the first float case of every op again in float64: the engine's float64 path (used by gradcheck)
        if not f64 and op not in seen64 and out.is_floating_point():
            seen64.add(op)
            case(name, op, fn, make, args, grad, f64=True)

    # elementwise binary, with broadcasting and number operands
    binary = {'add': torch.add, 'sub': torch.sub, 'mul': torch.mul, 'maximum': torch.maximum,
              'minimum': torch.minimum}
    for op, fn in binary.items():
        case(f'{op}/same_shape', op, fn, lambda: [U(2, 3), U(2, 3)])
        case(f'{op}/broadcast_row', op, fn, lambda: [U(2, 3), U(3)])
        case(f'{op}/broadcast_both', op, fn, lambda: [U(3, 1), U(1, 4)])
        case(f'{op}/broadcast_3d', op, fn, lambda: [U(2, 1, 4), U(3, 1)])
    for op, fn in {'add': torch.add, 'sub': torch.sub, 'mul': torch.mul}.items():
        case(f'{op}/tensor_number', op, fn, lambda: [U(2, 3), 1.5])
        case(f'{op}/number_tensor', op, lambda a, b: fn(torch.tensor(a), b), lambda: [-0.75, U(2, 3)])
    case('add/scalar_tensor', 'add', torch.add, lambda: [U(2, 3), U()])
    case('mul/scalar_scalar', 'mul', torch.mul, lambda: [U(), U()])
    case('sum/large', 'sum', torch.sum, lambda: [U(3000)])
    case('div/same_shape', 'div', torch.div, lambda: [U(2, 3), P(2, 3) * torch.sign(U(2, 3))])
    case('div/broadcast_col', 'div', torch.div, lambda: [U(2, 3), P(2, 1)])
    case('div/tensor_number', 'div', torch.div, lambda: [U(2, 3), 4.0])
    case('div/number_tensor', 'div', lambda a, b: torch.tensor(a) / b, lambda: [1.0, P(2, 3)])
    case('pow/tensor_number', 'pow', torch.pow, lambda: [P(2, 3), 2.5])
    case('pow/square', 'pow', torch.pow, lambda: [U(2, 3), 2.0])
    case('pow/cube_negative_base', 'pow', torch.pow, lambda: [U(2, 3), 3.0])
    case('pow/tensor_tensor', 'pow', torch.pow, lambda: [P(2, 3), U(2, 3)])
    case('pow/broadcast', 'pow', torch.pow, lambda: [P(2, 3), U(3)])
    case('pow/number_tensor', 'pow', lambda a, b: torch.pow(a, b), lambda: [2.0, U(2, 3)])

    case('maximum/ties', 'maximum', torch.maximum, lambda: [torch.tensor([1.0, 2.0, -3.0]), torch.tensor([1.0, 0.5, -3.0])])
    case('minimum/ties', 'minimum', torch.minimum, lambda: [torch.tensor([1.0, 2.0, -3.0]), torch.tensor([1.0, 0.5, -3.0])])
    for op, fn in {'eq': torch.eq, 'gt': torch.gt, 'ge': torch.ge, 'lt': torch.lt, 'le': torch.le}.items():
        # torch returns bool; the engine returns 0/1 in a float tensor: values are compared
        case(f'{op}/broadcast', op, fn, lambda: [torch.tensor([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]), torch.tensor([2.0, 2.0, 1.0])],
             grad=False)
        case(f'{op}/number', op, fn, lambda: [torch.tensor([1.0, 2.0, 3.0]), 2.0], grad=False)

    # elementwise unary
    case('neg/basic', 'neg', torch.neg, lambda: [U(2, 3)])
    case('exp/basic', 'exp', torch.exp, lambda: [U(2, 3)])
    case('log/basic', 'log', torch.log, lambda: [P(2, 3, lo=0.1, hi=5)])
    case('sqrt/basic', 'sqrt', torch.sqrt, lambda: [P(2, 3, lo=0.1, hi=5)])
    case('abs/basic', 'abs', torch.abs, lambda: [away_from(U(3, 4), [0])])
    case('clamp/min_max', 'clamp', lambda x: torch.clamp(x, -0.5, 0.8), lambda: [away_from(U(3, 4), [-0.5, 0.8])],
         [-0.5, 0.8])
    case('clamp/min_only', 'clamp', lambda x: torch.clamp(x, min=0.1), lambda: [away_from(U(3, 4), [0.1])], [0.1])
    case('clamp/max_only', 'clamp', lambda x: torch.clamp(x, max=0.3), lambda: [away_from(U(3, 4), [0.3])],
         [None, 0.3])
    case('cast/to_float64', 'cast', lambda x: x.double(), lambda: [U(3, 4)], ['float64'])
    case('cast/to_float32', 'cast', lambda x: x.float(), lambda: [U(3, 4).double() / 3], ['float32'])
    case('cast/to_int32_truncates', 'cast', lambda x: x.int(), lambda: [torch.tensor([-1.7, -0.5, 0.5, 2.5, 3.9])],
         ['int32'], grad=False)
    case('sign/basic', 'sign', torch.sign, lambda: [torch.tensor([-2.0, 0.0, 3.5, -0.25])], grad=False)
    case('where/same_shape', 'where', torch.where, lambda: [U(2, 3) > 0, U(2, 3), U(2, 3)])
    case('where/broadcast', 'where', torch.where, lambda: [U(2, 1) > 0, U(2, 3), U(3)])

    # matmul
    case('matmul/2d', 'matmul', torch.matmul, lambda: [U(3, 4), U(4, 5)])
    case('matmul/2d_vector_like', 'matmul', torch.matmul, lambda: [U(1, 6), U(6, 1)])
    case('matmul/large_k', 'matmul', torch.matmul, lambda: [U(4, 300), U(300, 3)])
    # sizes that cross blocked/SIMD kernels' tile edges (odd M, N, K; longer K)
    case('matmul/odd_tiles', 'matmul', torch.matmul, lambda: [U(9, 33), U(33, 17)])
    case('matmul/odd_tiles_batched', 'matmul', torch.matmul, lambda: [U(3, 5, 19), U(3, 19, 9)])
    case('matmul/long_k_odd', 'matmul', torch.matmul, lambda: [U(2, 257), U(257, 3)])
    case('matmul/batched', 'matmul', torch.matmul, lambda: [U(2, 3, 4), U(2, 4, 5)])
    case('matmul/batched_2d', 'matmul', torch.matmul, lambda: [U(2, 3, 4), U(4, 5)])
    case('matmul/2d_batched', 'matmul', torch.matmul, lambda: [U(3, 4), U(2, 4, 5)])
    case('matmul/broadcast_batch', 'matmul', torch.matmul, lambda: [U(2, 1, 3, 4), U(3, 4, 2)])

    # reductions
    x34 = lambda: [U(3, 4)]
    x234 = lambda: [U(2, 3, 4)]
    case('sum/all', 'sum', torch.sum, x234)
    case('sum/dim0', 'sum', lambda x: x.sum(0), x234, [0])
    case('sum/dim1_keepdim', 'sum', lambda x: x.sum(1, keepdim=True), x234, [1, True])
    case('sum/dim_neg', 'sum', lambda x: x.sum(-1), x234, [-1])
    case('sum/dims_list', 'sum', lambda x: x.sum([0, 2]), x234, [[0, 2]])
    case('mean/all', 'mean', torch.mean, x234)
    case('mean/dim1', 'mean', lambda x: x.mean(1), x234, [1])
    case('mean/dim_neg_keepdim', 'mean', lambda x: x.mean(-1, keepdim=True), x234, [-1, True])
    case('mean/dims_list', 'mean', lambda x: x.mean([0, 2]), x234, [[0, 2]])
    case('max/all', 'max', torch.max, x234)
    case('max/dim1', 'max', lambda x: x.max(1).values, x234, [1])
    case('max/dim_neg_keepdim', 'max', lambda x: x.max(-1, keepdim=True).values, x234, [-1, True])
    case('max/all_ties', 'max', torch.max, lambda: [torch.tensor([[1.0, 3.0, 3.0], [0.5, 3.0, -1.0]])])
    ties = lambda: [torch.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])]
    case('max/dim_ties', 'max', lambda x: x.max(1).values, ties, [1])  # torch: the first maximum gets the grad
    case('argmax/ties', 'argmax', lambda x: x.argmax(1), ties, [1], grad=False)
    case('min/all', 'min', torch.min, x234)
    case('min/dim1', 'min', lambda x: x.min(1).values, x234, [1])
    case('min/dim0_keepdim', 'min', lambda x: x.min(0, keepdim=True).values, x234, [0, True])
    case('argmax/all', 'argmax', torch.argmax, x34, [], grad=False)
    case('argmax/dim1', 'argmax', lambda x: x.argmax(1), x34, [1], grad=False)
    case('argmax/dim0_keepdim', 'argmax', lambda x: x.argmax(0, keepdim=True), x34, [0, True], grad=False)
    case('argmax/dim_neg', 'argmax', lambda x: x.argmax(-1), x234, [-1], grad=False)

    # shape
    case('reshape/basic', 'reshape', lambda x: x.reshape(4, 6), x234, [[4, 6]])
    case('reshape/infer', 'reshape', lambda x: x.reshape(2, -1), x234, [[2, -1]])
    case('view/basic', 'view', lambda x: x.view(6, 4), x234, [[6, 4]])
    case('flatten/all', 'flatten', torch.flatten, x234)
    case('flatten/from1', 'flatten', lambda x: torch.flatten(x, 1), lambda: [U(2, 3, 2, 2)], [1])
    case('flatten/range', 'flatten', lambda x: torch.flatten(x, 1, 2), lambda: [U(2, 3, 2, 2)], [1, 2])
    case('permute/3d', 'permute', lambda x: x.permute(2, 0, 1), x234, [[2, 0, 1]])
    case('permute/4d', 'permute', lambda x: x.permute(0, 2, 3, 1), lambda: [U(2, 3, 2, 2)], [[0, 2, 3, 1]])
    case('transpose/2d', 'transpose', lambda x: x.transpose(0, 1), x34, [0, 1])
    case('transpose/3d_neg', 'transpose', lambda x: x.transpose(-1, 0), x234, [-1, 0])
    case('cat/dim0', 'cat', lambda a, b, c: torch.cat([a, b, c], 0), lambda: [U(1, 3), U(2, 3), U(3, 3)], [0])
    case('cat/dim1', 'cat', lambda a, b: torch.cat([a, b], 1), lambda: [U(2, 2, 3), U(2, 1, 3)], [1])
    case('cat/dim_neg', 'cat', lambda a, b: torch.cat([a, b], -1), lambda: [U(2, 3, 1), U(2, 3, 2)], [-1])
    case('slice/dim0', 'slice', lambda x: x[1:3], lambda: [U(4, 3)], [0, 1, 3])
    case('slice/dim1_step', 'slice', lambda x: x[:, 1:6:2], lambda: [U(2, 7)], [1, 1, 6, 2])
    case('slice/negative', 'slice', lambda x: x[:, -4:-1], lambda: [U(2, 6)], [1, -4, -1])
    case('slice/clamped_end', 'slice', lambda x: x[2:100:3], lambda: [U(7, 2)], [0, 2, 100, 3])
    case('slice/dim_last_3d', 'slice', lambda x: x[:, :, 0:2], x234, [2, 0, 2])
    case('gather/dim1', 'gather', lambda x, i: torch.gather(x, 1, i),
         lambda: [U(3, 4), torch.tensor([[0, 0], [3, 1], [2, 2]])], [1])
    case('gather/dim0_repeat', 'gather', lambda x, i: torch.gather(x, 0, i),
         lambda: [U(3, 4), torch.tensor([[2, 0, 1, 2], [2, 2, 0, 1]])], [0])
    case('unsqueeze/dim0', 'unsqueeze', lambda x: x.unsqueeze(0), x34, [0])
    case('unsqueeze/dim_neg', 'unsqueeze', lambda x: x.unsqueeze(-1), x34, [-1])
    case('squeeze/all', 'squeeze', torch.squeeze, lambda: [U(1, 3, 1, 2)])
    case('squeeze/dim', 'squeeze', lambda x: x.squeeze(2), lambda: [U(1, 3, 1, 2)], [2])
    case('expand/basic', 'expand', lambda x: x.expand(3, 4), lambda: [U(3, 1)], [[3, 4]])
    case('expand/new_dims', 'expand', lambda x: x.expand(2, 3, 4), lambda: [U(3, 1)], [[2, 3, 4]])
    case('expand/keep_minus1', 'expand', lambda x: x.expand(2, -1, 4), lambda: [U(3, 1)], [[2, -1, 4]])

    # odd lengths past SIMD widths (remainder loops of vectorised kernels)
    case('add/odd_length', 'add', torch.add, lambda: [U(3, 37), U(3, 37)])
    case('add/odd_length_broadcast', 'add', torch.add, lambda: [U(3, 37), U(37)])
    case('mul/odd_length', 'mul', torch.mul, lambda: [U(5, 13), U(5, 13)])
    case('relu/odd_length', 'relu', torch.relu, lambda: [away_from(U(3, 37), [0])])
    case('sum/odd_dim1', 'sum', lambda x: x.sum(1), lambda: [U(7, 37)], [1])
    case('sum/odd_dim0', 'sum', lambda x: x.sum(0), lambda: [U(37, 7)], [0])
    case('transpose/odd', 'transpose', lambda x: x.transpose(0, 1), lambda: [U(9, 13)], [0, 1])
    case('softmax/odd_wide', 'softmax', lambda x: torch.softmax(x, 1), lambda: [U(5, 37) * 3], [1])
    case('logSoftmax/odd_wide', 'logSoftmax', lambda x: torch.log_softmax(x, 1), lambda: [U(5, 37) * 3], [1])

    # empty tensors
    case('sum/empty_dim0', 'sum', lambda x: x.sum(0), lambda: [torch.zeros(0, 3)], [0])
    case('sum/empty_all', 'sum', torch.sum, lambda: [torch.zeros(0, 3)])
    case('matmul/empty_k', 'matmul', torch.matmul, lambda: [torch.zeros(2, 0), torch.zeros(0, 3)])
    case('cat/with_empty', 'cat', lambda a, b: torch.cat([a, b], 0), lambda: [U(2, 3), torch.zeros(0, 3)], [0])
    case('add/empty_broadcast', 'add', torch.add, lambda: [torch.zeros(0, 3), U(3)])

    # softmax family
    case('softmax/dim1', 'softmax', lambda x: torch.softmax(x, 1), x34, [1])
    case('softmax/dim0', 'softmax', lambda x: torch.softmax(x, 0), x34, [0])
    case('softmax/dim_neg_3d', 'softmax', lambda x: torch.softmax(x, -1), x234, [-1])
    case('softmax/size1_dim', 'softmax', lambda x: torch.softmax(x, 1), lambda: [U(3, 1)], [1])
    case('softmax/large_logits', 'softmax', lambda x: torch.softmax(x, 1), lambda: [U(2, 5) * 5 + 100], [1])
    case('logSoftmax/dim1', 'logSoftmax', lambda x: torch.log_softmax(x, 1), x34, [1])
    case('logSoftmax/dim0_3d', 'logSoftmax', lambda x: torch.log_softmax(x, 0), x234, [0])
    case('logSoftmax/large_logits', 'logSoftmax', lambda x: torch.log_softmax(x, 1),
         lambda: [U(2, 5) * 5 + 100], [1])
    case('logSoftmax/very_negative', 'logSoftmax', lambda x: torch.log_softmax(x, -1),
         lambda: [U(2, 5) * 30 - 100], [-1])

    # activations
    act = lambda: [away_from(U(3, 5, lo=-4, hi=4), [0])]
    case('relu/basic', 'relu', torch.relu, act)
    case('leakyRelu/default', 'leakyRelu', F.leaky_relu, act)
    case('leakyRelu/slope', 'leakyRelu', lambda x: F.leaky_relu(x, 0.2), act, [0.2])
    case('sigmoid/basic', 'sigmoid', torch.sigmoid, act)
    case('sigmoid/large', 'sigmoid', torch.sigmoid, lambda: [U(2, 4, lo=-60, hi=60)])
    case('tanh/basic', 'tanh', torch.tanh, act)
    case('gelu/none', 'gelu', F.gelu, act)
    case('gelu/tanh', 'gelu', lambda x: F.gelu(x, approximate='tanh'), act, ['tanh'])
    case('elu/default', 'elu', F.elu, act)
    case('elu/alpha', 'elu', lambda x: F.elu(x, 0.5), act, [0.5])
    case('silu/basic', 'silu', F.silu, act)
    case('softplus/default', 'softplus', F.softplus, act)
    case('softplus/beta', 'softplus', lambda x: F.softplus(x, 2.0), act, [2.0])
    case('softplus/threshold', 'softplus', lambda x: F.softplus(x, 1.0, 2.0),
         lambda: [away_from(U(3, 5, lo=-6, hi=6), [2.0])], [1.0, 2.0])
    case('softplus/large', 'softplus', F.softplus, lambda: [U(2, 4, lo=-60, hi=60)])

    # exactly at the kinks, torch's conventions: relu'(0) = 0, leaky'(0) = slope, |x|'(0) = 0, elu'(0) = alpha,
    # clamp passes the gradient at its bounds (zeros and bounds are common: padded images, MNIST's 0 pixels)
    kinks = lambda: [torch.tensor([0.0, -1.0, 1.0, 2.0, -0.0])]
    case('relu/at_zero', 'relu', torch.relu, kinks)
    case('leakyRelu/at_zero', 'leakyRelu', lambda x: F.leaky_relu(x, 0.1), kinks, [0.1])
    case('abs/at_zero', 'abs', torch.abs, kinks)
    case('elu/at_zero', 'elu', lambda x: F.elu(x, 0.5), kinks, [0.5])
    case('clamp/at_bounds', 'clamp', lambda x: torch.clamp(x, -1.0, 1.0), kinks, [-1.0, 1.0])
    case('clamp/min_at_bound', 'clamp', lambda x: torch.clamp(x, min=0.0), kinks, [0.0])

    # conv / pooling
    def conv(name, xs, ws, bias, **kw):
        opts = {'stride': 1, 'padding': 0, 'dilation': 1, 'groups': 1, **kw}
        make = (lambda: [U(*xs), U(*ws) * 0.5, U(ws[0]) * 0.5]) if bias else (lambda: [U(*xs), U(*ws) * 0.5])
        fn = (lambda x, w, b: F.conv2d(x, w, b, **opts)) if bias else (lambda x, w: F.conv2d(x, w, None, **opts))
        case(name, 'conv2d', fn, make, camel_kwargs({k: v for k, v in kw.items()}))

    conv('conv2d/basic', (2, 3, 5, 5), (4, 3, 3, 3), True)
    conv('conv2d/no_bias', (1, 2, 4, 4), (3, 2, 2, 2), False)
    conv('conv2d/stride_padding', (2, 2, 6, 5), (3, 2, 3, 3), True, stride=2, padding=1)
    conv('conv2d/rect_kernel_stride_pair', (1, 2, 7, 6), (2, 2, 3, 2), True, stride=(2, 1), padding=(1, 0))
    conv('conv2d/dilation', (1, 2, 7, 7), (2, 2, 3, 3), True, dilation=2, padding=2)
    conv('conv2d/groups', (2, 4, 5, 5), (6, 2, 3, 3), True, groups=2, padding=1)
    conv('conv2d/depthwise', (1, 3, 5, 5), (3, 1, 3, 3), False, groups=3, stride=2)
    conv('conv2d/1x1', (2, 3, 3, 3), (2, 3, 1, 1), True)
    conv('conv2d/larger', (2, 5, 9, 9), (7, 5, 3, 3), True, padding=1)
    conv('conv2d/larger_strided_groups', (2, 6, 11, 10), (9, 2, 3, 3), True, stride=2, padding=1, groups=3)
    conv('conv2d/big_padding', (1, 1, 3, 3), (2, 1, 2, 2), True, padding=3)
    conv('conv2d/padding_same', (1, 2, 5, 6), (3, 2, 3, 2), True, padding='same')
    conv('conv2d/padding_same_dilation', (1, 2, 6, 6), (2, 2, 3, 3), True, padding='same', dilation=2)
    conv('conv2d/padding_valid', (1, 2, 4, 4), (2, 2, 3, 3), True, padding='valid')

    def pool(name, op, fn, xs, opts, torch_kw):
        case(name, op, lambda x: fn(x, **torch_kw), lambda: [U(*xs)], opts)

    pool('maxPool2d/k2', 'maxPool2d', F.max_pool2d, (2, 2, 4, 4), {'kernelSize': 2}, {'kernel_size': 2})
    pool('maxPool2d/k3_s2_p1', 'maxPool2d', F.max_pool2d, (1, 2, 7, 6), {'kernelSize': 3, 'stride': 2, 'padding': 1},
         {'kernel_size': 3, 'stride': 2, 'padding': 1})
    pool('maxPool2d/k2_s1_overlap', 'maxPool2d', F.max_pool2d, (1, 1, 4, 5), {'kernelSize': 2, 'stride': 1},
         {'kernel_size': 2, 'stride': 1})
    pool('maxPool2d/rect_odd', 'maxPool2d', F.max_pool2d, (1, 2, 5, 7), {'kernelSize': [2, 3], 'stride': [2, 2]},
         {'kernel_size': (2, 3), 'stride': (2, 2)})
    pool('maxPool2d/dilation', 'maxPool2d', F.max_pool2d, (1, 2, 6, 6), {'kernelSize': 2, 'stride': 1, 'dilation': 2},
         {'kernel_size': 2, 'stride': 1, 'dilation': 2})
    pool('maxPool2d/ceil_mode', 'maxPool2d', F.max_pool2d, (1, 2, 6, 7), {'kernelSize': 3, 'stride': 2, 'ceilMode': True},
         {'kernel_size': 3, 'stride': 2, 'ceil_mode': True})
    pool('avgPool2d/ceil_mode', 'avgPool2d', F.avg_pool2d, (1, 2, 5, 5), {'kernelSize': 2, 'ceilMode': True},
         {'kernel_size': 2, 'ceil_mode': True})
    pool('avgPool2d/ceil_pad_exclude', 'avgPool2d', F.avg_pool2d, (1, 1, 6, 5),
         {'kernelSize': 3, 'stride': 2, 'padding': 1, 'ceilMode': True, 'countIncludePad': False},
         {'kernel_size': 3, 'stride': 2, 'padding': 1, 'ceil_mode': True, 'count_include_pad': False})
    pool('avgPool2d/divisor_override', 'avgPool2d', F.avg_pool2d, (1, 2, 4, 4),
         {'kernelSize': 2, 'divisorOverride': 3}, {'kernel_size': 2, 'divisor_override': 3})
    # ties (common after ReLU): torch sends the gradient to the first maximum of the window, in row-major order
    tied = lambda: [torch.tensor([[[[1., 1., 0., 2.], [1., 0., 2., 2.], [3., 3., 0., 0.], [3., 3., 0., 0.]]]])]
    case('maxPool2d/ties', 'maxPool2d', lambda x: F.max_pool2d(x, 2), tied, {'kernelSize': 2})
    case('maxPool2d/ties_overlap', 'maxPool2d', lambda x: F.max_pool2d(x, 2, stride=1), tied,
         {'kernelSize': 2, 'stride': 1})
    pool('avgPool2d/k2', 'avgPool2d', F.avg_pool2d, (2, 2, 4, 4), {'kernelSize': 2}, {'kernel_size': 2})
    pool('avgPool2d/k3_s2_p1', 'avgPool2d', F.avg_pool2d, (1, 2, 7, 6), {'kernelSize': 3, 'stride': 2, 'padding': 1},
         {'kernel_size': 3, 'stride': 2, 'padding': 1})
    pool('avgPool2d/exclude_pad', 'avgPool2d', F.avg_pool2d, (1, 2, 5, 5),
         {'kernelSize': 3, 'stride': 2, 'padding': 1, 'countIncludePad': False},
         {'kernel_size': 3, 'stride': 2, 'padding': 1, 'count_include_pad': False})
    pool('avgPool2d/k2_s1_overlap', 'avgPool2d', F.avg_pool2d, (1, 1, 4, 5), {'kernelSize': 2, 'stride': 1},
         {'kernel_size': 2, 'stride': 1})
    case('adaptiveAvgPool2d/global', 'adaptiveAvgPool2d', lambda x: F.adaptive_avg_pool2d(x, (1, 1)),
         lambda: [U(2, 3, 4, 5)], [[1, 1]])
    case('adaptiveAvgPool2d/divisible', 'adaptiveAvgPool2d', lambda x: F.adaptive_avg_pool2d(x, (2, 2)),
         lambda: [U(1, 2, 4, 6)], [[2, 2]])
    case('adaptiveAvgPool2d/uneven', 'adaptiveAvgPool2d', lambda x: F.adaptive_avg_pool2d(x, (3, 2)),
         lambda: [U(1, 2, 5, 7)], [[3, 2]])
    case('adaptiveAvgPool2d/upsample', 'adaptiveAvgPool2d', lambda x: F.adaptive_avg_pool2d(x, (4, 3)),
         lambda: [U(1, 1, 3, 2)], [[4, 3]])

    # batchNorm (functional): records the running stats it updates in place
    def bn(name, xs, training, momentum=0.1, eps=1e-5, affine=True):
        seed(name)
        c = xs[1]
        x = U(*xs) * 2 + 0.5
        rm, rv = U(c) * 0.5, P(c)
        w, b = (P(c), U(c) * 0.5) if affine else (None, None)
        xl = x.clone().requires_grad_(True)
        wl = w.clone().requires_grad_(True) if affine else None
        bl = b.clone().requires_grad_(True) if affine else None
        rm2, rv2 = rm.clone(), rv.clone()
        out = F.batch_norm(xl, rm2, rv2, wl, bl, training, momentum, eps)
        g = N(*out.shape)
        (out * g).sum().backward()
        cases.append({'name': name, 'op': 'batchNorm', 'inputs': [enc(x), enc(rm), enc(rv), enc(w), enc(b)],
                      'args': {'training': training, 'momentum': momentum, 'eps': eps}, 'out': enc(out),
                      'grad_out': enc(g), 'grads': [enc(xl.grad), None, None,
                                                    enc(wl.grad) if affine else None,
                                                    enc(bl.grad) if affine else None],
                      'after': {'running_mean': enc(rm2), 'running_var': enc(rv2)}})

    bn('batchNorm/train_2d', (6, 3), True)
    bn('batchNorm/train_4d', (3, 2, 3, 3), True)
    bn('batchNorm/train_4d_momentum_eps', (2, 3, 2, 2), True, momentum=0.5, eps=1e-3)
    bn('batchNorm/train_no_affine', (4, 3), True, affine=False)
    bn('batchNorm/eval_2d', (6, 3), False)
    bn('batchNorm/eval_4d', (3, 2, 3, 3), False)

    write('ops.json', cases)
    write('ops_f64.json', cases64)


# ----------------------------------------------------------------------------------------------------------- layers

def layers():
    cases = []

    def fwd_bwd(mod, x):
        xl = x.clone().requires_grad_(True)
        for p in mod.parameters():
            p.grad = None
        out = mod(xl)
        indices = None
        if isinstance(out, tuple):  # MaxPool2d(return_indices=True): (output, int64 indices)
            out, indices = out
        g = N(*out.shape)
        (out * g).sum().backward()
        grads = {'input': enc(xl.grad)}
        for k, p in mod.named_parameters():
            grads[k] = enc(p.grad)
        rec = {'out': enc(out), 'grad_out': enc(g), 'grads': grads}
        if indices is not None:
            rec['indices'] = enc(indices)
        return rec

    def case(name, layer, ctor, args, kwargs, xs, x_scale=1.0, modes=('train', 'eval'), extra=None):
        seed(name)
        mod = ctor(*args, **kwargs)
        # non-trivial buffers/affine params, so BatchNorm's eval path and weight/bias grads mean something
        with torch.no_grad():
            for k, v in mod.state_dict().items():
                if k.endswith('running_mean'):
                    v.copy_(U(*v.shape) * 0.5)
                elif k.endswith('running_var'):
                    v.copy_(P(*v.shape))
                elif isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d)) and k == 'weight':
                    v.copy_(P(*v.shape))
                elif isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d)) and k == 'bias':
                    v.copy_(U(*v.shape) * 0.5)
                elif isinstance(mod, (nn.LayerNorm, nn.GroupNorm)):
                    v.copy_(P(*v.shape) if k == 'weight' else U(*v.shape) * 0.5)
        state = {k: v.clone() for k, v in mod.state_dict().items()}
        x = U(*xs) * x_scale
        rec = {'name': name, 'layer': layer, 'args': list(args), 'kwargs': camel_kwargs(kwargs),
               'repr': repr(mod), 'state': {k: enc(v) for k, v in state.items()}, 'input': enc(x), **(extra or {})}
        if 'train' in modes:
            mod.load_state_dict(state)
            mod.train()
            rec['train'] = fwd_bwd(mod, x)
            rec['train']['state_after'] = {k: enc(v) for k, v in mod.state_dict().items()
                                           if k not in dict(mod.named_parameters())}
        if 'eval' in modes:
            mod.load_state_dict(state)
            mod.eval()
            rec['eval'] = fwd_bwd(mod, x)
        cases.append(rec)

    case('Linear/basic', 'Linear', nn.Linear, (4, 3), {}, (5, 4))
    case('Linear/no_bias', 'Linear', nn.Linear, (4, 3), {'bias': False}, (5, 4))
    case('Linear/3d_input', 'Linear', nn.Linear, (4, 2), {}, (2, 3, 4))
    case('Conv2d/basic', 'Conv2d', nn.Conv2d, (2, 3, 3), {}, (2, 2, 5, 5))
    case('Conv2d/stride_padding_groups', 'Conv2d', nn.Conv2d, (4, 4, 3),
         {'stride': 2, 'padding': 1, 'groups': 2, 'bias': False}, (1, 4, 6, 6))
    case('Conv2d/rect_dilation', 'Conv2d', nn.Conv2d, (2, 2, (3, 2)), {'dilation': (2, 1), 'padding': (2, 1)},
         (1, 2, 6, 5))
    case('Conv2d/padding_same', 'Conv2d', nn.Conv2d, (2, 3, 3), {'padding': 'same'}, (1, 2, 4, 5))
    # padding_mode: torch pads the input (F.pad) with the mode, then convolves without padding
    case('Conv2d/padding_mode_reflect', 'Conv2d', nn.Conv2d, (2, 3, 3), {'padding': 1, 'padding_mode': 'reflect'},
         (2, 2, 5, 5))
    case('Conv2d/padding_mode_replicate', 'Conv2d', nn.Conv2d, (2, 3, 3),
         {'padding': (2, 1), 'dilation': (2, 1), 'padding_mode': 'replicate'}, (1, 2, 5, 4))
    case('Conv2d/padding_mode_circular', 'Conv2d', nn.Conv2d, (2, 2, (3, 2)),
         {'padding': (2, 1), 'stride': 2, 'padding_mode': 'circular', 'bias': False}, (2, 2, 5, 6))
    case('Conv2d/padding_mode_reflect_same_even', 'Conv2d', nn.Conv2d, (2, 3, (3, 4)),
         {'padding': 'same', 'padding_mode': 'reflect'}, (1, 2, 5, 6))
    case('Conv2d/padding_mode_circular_same_dilation_groups', 'Conv2d', nn.Conv2d, (4, 2, 3),
         {'padding': 'same', 'dilation': 2, 'groups': 2, 'padding_mode': 'circular'}, (1, 4, 6, 5))
    case('Conv2d/padding_mode_replicate_valid', 'Conv2d', nn.Conv2d, (2, 2, 2),
         {'padding': 'valid', 'padding_mode': 'replicate'}, (1, 2, 4, 4))
    case('MaxPool2d/dilation_ceil', 'MaxPool2d', nn.MaxPool2d, (2,), {'stride': 2, 'dilation': 2, 'ceil_mode': True},
         (1, 2, 7, 6))
    case('AvgPool2d/ceil_divisor', 'AvgPool2d', nn.AvgPool2d, (2,), {'ceil_mode': True, 'divisor_override': 3},
         (1, 2, 5, 5))
    case('MaxPool2d/k2', 'MaxPool2d', nn.MaxPool2d, (2,), {}, (2, 2, 4, 4))
    # return_indices: torch's int64 flat index iy*W + ix within each (H, W) plane
    case('MaxPool2d/return_indices', 'MaxPool2d', nn.MaxPool2d, (3,), {'stride': 2, 'padding': 1, 'return_indices': True},
         (2, 2, 5, 6))
    case('MaxPool2d/return_indices_dilation_ceil', 'MaxPool2d', nn.MaxPool2d, (2,),
         {'stride': 2, 'dilation': 2, 'ceil_mode': True, 'return_indices': True}, (1, 2, 7, 6))
    case('MaxPool2d/return_indices_unbatched', 'MaxPool2d', nn.MaxPool2d, (2,), {'return_indices': True}, (3, 4, 4))
    case('MaxPool2d/k3_s2_p1', 'MaxPool2d', nn.MaxPool2d, (3,), {'stride': 2, 'padding': 1}, (1, 2, 7, 6))
    case('AvgPool2d/k2', 'AvgPool2d', nn.AvgPool2d, (2,), {}, (2, 2, 4, 4))
    case('AvgPool2d/k3_s1_p1_exclude', 'AvgPool2d', nn.AvgPool2d, (3,),
         {'stride': 1, 'padding': 1, 'count_include_pad': False}, (1, 2, 4, 4))
    case('AdaptiveAvgPool2d/global', 'AdaptiveAvgPool2d', nn.AdaptiveAvgPool2d, ((1, 1),), {}, (2, 3, 4, 4))
    case('AdaptiveAvgPool2d/uneven', 'AdaptiveAvgPool2d', nn.AdaptiveAvgPool2d, ((3, 2),), {}, (1, 2, 5, 7))
    case('BatchNorm1d/basic', 'BatchNorm1d', nn.BatchNorm1d, (3,), {}, (6, 3), x_scale=2.0)
    case('BatchNorm1d/momentum_eps', 'BatchNorm1d', nn.BatchNorm1d, (3,), {'momentum': 0.3, 'eps': 1e-3}, (5, 3),
         x_scale=2.0)
    case('BatchNorm1d/no_affine', 'BatchNorm1d', nn.BatchNorm1d, (3,), {'affine': False}, (6, 3), x_scale=2.0)
    case('BatchNorm1d/3d_input', 'BatchNorm1d', nn.BatchNorm1d, (3,), {}, (4, 3, 5), x_scale=2.0)
    case('BatchNorm1d/cumulative_average', 'BatchNorm1d', nn.BatchNorm1d, (3,), {'momentum': None}, (5, 3),
         x_scale=2.0)
    case('BatchNorm2d/no_running_stats', 'BatchNorm2d', nn.BatchNorm2d, (2,), {'track_running_stats': False},
         (3, 2, 2, 2), x_scale=2.0)
    case('BatchNorm2d/basic', 'BatchNorm2d', nn.BatchNorm2d, (3,), {}, (2, 3, 3, 3), x_scale=2.0)
    case('BatchNorm2d/momentum', 'BatchNorm2d', nn.BatchNorm2d, (2,), {'momentum': 0.5, 'eps': 1e-3},
         (3, 2, 2, 2), x_scale=2.0)
    case('Flatten/default', 'Flatten', nn.Flatten, (), {}, (2, 3, 2, 2))
    case('Flatten/range', 'Flatten', nn.Flatten, (), {'start_dim': 0, 'end_dim': 1}, (2, 3, 2))
    act = (3, 5)
    case('ReLU/basic', 'ReLU', nn.ReLU, (), {}, act, x_scale=2.0)
    case('LeakyReLU/default', 'LeakyReLU', nn.LeakyReLU, (), {}, act, x_scale=2.0)
    case('LeakyReLU/slope', 'LeakyReLU', nn.LeakyReLU, (0.2,), {}, act, x_scale=2.0)
    case('Sigmoid/basic', 'Sigmoid', nn.Sigmoid, (), {}, act, x_scale=2.0)
    case('Tanh/basic', 'Tanh', nn.Tanh, (), {}, act, x_scale=2.0)
    case('GELU/none', 'GELU', nn.GELU, (), {}, act, x_scale=2.0)
    case('GELU/tanh', 'GELU', nn.GELU, (), {'approximate': 'tanh'}, act, x_scale=2.0)
    case('ELU/default', 'ELU', nn.ELU, (), {}, act, x_scale=2.0)
    case('ELU/alpha', 'ELU', nn.ELU, (), {'alpha': 0.5}, act, x_scale=2.0)
    case('SiLU/basic', 'SiLU', nn.SiLU, (), {}, act, x_scale=2.0)
    case('Softplus/default', 'Softplus', nn.Softplus, (), {}, act, x_scale=2.0)
    case('Softplus/beta_threshold', 'Softplus', nn.Softplus, (), {'beta': 2, 'threshold': 3}, act, x_scale=3.0)
    case('Softmax/dim1', 'Softmax', nn.Softmax, (), {'dim': 1}, act, x_scale=2.0)
    case('LogSoftmax/dim1', 'LogSoftmax', nn.LogSoftmax, (), {'dim': 1}, act, x_scale=2.0)
    case('Identity/basic', 'Identity', nn.Identity, (), {}, act)
    # Dropout in train mode draws torch's mask: eval only here, train is checked by property in dropout.test.ts
    case('Dropout/eval', 'Dropout', nn.Dropout, (0.5,), {}, act, modes=('eval',))
    # The layers #18 added (each seeded by its name, so the cases above keep their numbers).
    case('LayerNorm/last', 'LayerNorm', nn.LayerNorm, (5,), {}, (3, 5), x_scale=2.0)
    case('LayerNorm/2d_eps_no_affine', 'LayerNorm', nn.LayerNorm, ((3, 4),), {'eps': 1e-3, 'elementwise_affine': False},
         (2, 2, 3, 4), x_scale=2.0)
    case('GroupNorm/basic', 'GroupNorm', nn.GroupNorm, (2, 4), {}, (3, 4, 2, 3), x_scale=2.0)
    case('GroupNorm/sequence_no_affine', 'GroupNorm', nn.GroupNorm, (3, 6), {'eps': 1e-3, 'affine': False}, (2, 6, 5),
         x_scale=2.0)
    case('Conv1d/basic', 'Conv1d', nn.Conv1d, (3, 4, 3), {'padding': 1}, (2, 3, 7))
    case('Conv1d/stride_dilation_groups', 'Conv1d', nn.Conv1d, (4, 6, 3),
         {'stride': 2, 'dilation': 2, 'groups': 2, 'bias': False}, (2, 4, 11))
    case('Conv1d/padding_mode_reflect', 'Conv1d', nn.Conv1d, (2, 3, 4), {'padding': 2, 'padding_mode': 'reflect'},
         (2, 2, 6))
    case('Conv1d/padding_mode_circular_same', 'Conv1d', nn.Conv1d, (2, 2, 4),
         {'padding': 'same', 'padding_mode': 'circular'}, (1, 2, 5))
    case('Unflatten/basic', 'Unflatten', nn.Unflatten, (1, (2, 3)), {}, (2, 6, 2))
    case('Dropout2d/eval', 'Dropout2d', nn.Dropout2d, (0.5,), {}, (2, 3, 2, 2), modes=('eval',))
    def sequential(name, children, xs):
        """children: (layer, args, kwargs); recorded so the TS side can build the same Sequential."""
        make = lambda: nn.Sequential(*(getattr(nn, layer)(*a, **kw) for layer, a, kw in children))
        spec = [{'layer': layer, 'args': list(a), 'kwargs': camel_kwargs(kw)} for layer, a, kw in children]
        case(name, 'Sequential', make, (), {}, xs, extra={'children': spec})

    sequential('Sequential/mlp', [('Linear', (4, 8), {}), ('ReLU', (), {}), ('Linear', (8, 3), {})], (5, 4))
    sequential('Sequential/cnn', [('Conv2d', (1, 2, 3), {'padding': 1}), ('BatchNorm2d', (2,), {}), ('ReLU', (), {}),
                                  ('MaxPool2d', (2,), {}), ('Flatten', (), {}), ('Linear', (8, 3), {})], (2, 1, 4, 4))
    write('layers.json', cases)


# ----------------------------------------------------------------------------------------------------------- losses

def losses():
    cases = []

    def case(name, loss, ctor, kwargs, make, grad=True, reductions=('mean', 'sum', 'none')):
        for reduction in reductions:
            cname = f'{name}/{reduction}'
            seed(cname)
            x, t = make()
            kw = {**kwargs, 'reduction': reduction}
            xl = x.clone().requires_grad_(True)
            out = ctor(**{k: (torch.tensor(v) if isinstance(v, list) else v) for k, v in kw.items()})(xl, t)
            rec = {'name': cname, 'loss': loss, 'kwargs': camel_kwargs(kw), 'input': enc(x), 'target': enc(t),
                   'out': enc(out)}
            if grad:
                g = N(*out.shape)
                (out * g).sum().backward()
                rec.update({'grad_out': enc(g), 'grads': {'input': enc(xl.grad)}})
            cases.append(rec)

    case('MSELoss/basic', 'MSELoss', nn.MSELoss, {}, lambda: (U(4, 3), U(4, 3)))
    case('L1Loss/basic', 'L1Loss', nn.L1Loss, {}, lambda: (U(4, 3), U(4, 3)))
    case('SmoothL1Loss/default', 'SmoothL1Loss', nn.SmoothL1Loss, {}, lambda: (U(4, 3) * 2, U(4, 3)))
    case('SmoothL1Loss/beta', 'SmoothL1Loss', nn.SmoothL1Loss, {'beta': 0.5}, lambda: (U(4, 3) * 2, U(4, 3)))
    case('HuberLoss/default', 'HuberLoss', nn.HuberLoss, {}, lambda: (U(4, 3) * 2, U(4, 3)))
    case('HuberLoss/delta', 'HuberLoss', nn.HuberLoss, {'delta': 0.5}, lambda: (U(4, 3) * 2, U(4, 3)))
    case('BCELoss/basic', 'BCELoss', nn.BCELoss, {}, lambda: (U(4, 3, lo=0.05, hi=0.95), U(4, 3, lo=0, hi=1)))
    case('BCELoss/hard_targets', 'BCELoss', nn.BCELoss, {},
         lambda: (U(5, lo=0.05, hi=0.95), (U(5) > 0).float()))
    case('BCEWithLogitsLoss/basic', 'BCEWithLogitsLoss', nn.BCEWithLogitsLoss, {},
         lambda: (U(4, 3, lo=-4, hi=4), U(4, 3, lo=0, hi=1)))
    case('BCEWithLogitsLoss/large_logits', 'BCEWithLogitsLoss', nn.BCEWithLogitsLoss, {},
         lambda: (U(2, 4, lo=-50, hi=50), (U(2, 4) > 0).float()))
    case('BCEWithLogitsLoss/pos_weight', 'BCEWithLogitsLoss', nn.BCEWithLogitsLoss, {'pos_weight': [0.5, 2.0, 3.0]},
         lambda: (U(4, 3, lo=-4, hi=4), U(4, 3, lo=0, hi=1)))
    case('CrossEntropyLoss/basic', 'CrossEntropyLoss', nn.CrossEntropyLoss, {},
         lambda: (U(5, 4, lo=-3, hi=3), torch.randint(0, 4, (5,))))
    case('CrossEntropyLoss/large_logits', 'CrossEntropyLoss', nn.CrossEntropyLoss, {},
         lambda: (U(3, 4, lo=-3, hi=3) + 100, torch.randint(0, 4, (3,))))
    case('CrossEntropyLoss/weight', 'CrossEntropyLoss', nn.CrossEntropyLoss, {'weight': [1.0, 2.0, 0.5, 1.5]},
         lambda: (U(6, 4, lo=-3, hi=3), torch.tensor([0, 1, 2, 3, 1, 1])))
    case('CrossEntropyLoss/ignore_index', 'CrossEntropyLoss', nn.CrossEntropyLoss, {'ignore_index': 1},
         lambda: (U(6, 4, lo=-3, hi=3), torch.tensor([0, 1, 2, 3, 1, 2])))
    case('CrossEntropyLoss/label_smoothing', 'CrossEntropyLoss', nn.CrossEntropyLoss, {'label_smoothing': 0.1},
         lambda: (U(5, 4, lo=-3, hi=3), torch.randint(0, 4, (5,))))
    case('CrossEntropyLoss/prob_targets', 'CrossEntropyLoss', nn.CrossEntropyLoss, {},
         lambda: (U(5, 4, lo=-3, hi=3), torch.softmax(U(5, 4) * 2, 1)))
    case('CrossEntropyLoss/spatial', 'CrossEntropyLoss', nn.CrossEntropyLoss, {},
         lambda: (U(2, 3, 2, 2, lo=-3, hi=3), torch.randint(0, 3, (2, 2, 2))))
    case('NLLLoss/basic', 'NLLLoss', nn.NLLLoss, {},
         lambda: (torch.log_softmax(U(5, 4, lo=-3, hi=3), 1), torch.randint(0, 4, (5,))))
    case('NLLLoss/weight', 'NLLLoss', nn.NLLLoss, {'weight': [1.0, 2.0, 0.5, 1.5]},
         lambda: (torch.log_softmax(U(6, 4, lo=-3, hi=3), 1), torch.tensor([0, 1, 2, 3, 1, 1])))
    case('NLLLoss/ignore_index', 'NLLLoss', nn.NLLLoss, {'ignore_index': 0},
         lambda: (torch.log_softmax(U(6, 4, lo=-3, hi=3), 1), torch.tensor([0, 1, 2, 3, 0, 2])))
    # option combinations, where the reductions' denominators get subtle
    case('CrossEntropyLoss/spatial_weight_ignore', 'CrossEntropyLoss', nn.CrossEntropyLoss,
         {'weight': [0.5, 2.0, 1.5], 'ignore_index': 1},
         lambda: (U(2, 3, 2, 2, lo=-3, hi=3), torch.tensor([[[0, 1], [2, 2]], [[1, 0], [2, 1]]])))
    case('CrossEntropyLoss/smoothing_weight', 'CrossEntropyLoss', nn.CrossEntropyLoss,
         {'weight': [1.0, 2.0, 0.5, 1.5], 'label_smoothing': 0.2},
         lambda: (U(6, 4, lo=-3, hi=3), torch.tensor([0, 1, 2, 3, 1, 1])))
    case('CrossEntropyLoss/smoothing_ignore', 'CrossEntropyLoss', nn.CrossEntropyLoss,
         {'ignore_index': 2, 'label_smoothing': 0.1}, lambda: (U(6, 4, lo=-3, hi=3), torch.tensor([0, 1, 2, 3, 2, 1])))
    case('CrossEntropyLoss/prob_targets_smoothing', 'CrossEntropyLoss', nn.CrossEntropyLoss, {'label_smoothing': 0.1},
         lambda: (U(5, 4, lo=-3, hi=3), torch.softmax(U(5, 4) * 2, 1)))
    case('CrossEntropyLoss/prob_targets_weight', 'CrossEntropyLoss', nn.CrossEntropyLoss,
         {'weight': [1.0, 2.0, 0.5, 1.5]}, lambda: (U(5, 4, lo=-3, hi=3), torch.softmax(U(5, 4) * 2, 1)))
    case('CrossEntropyLoss/unbatched', 'CrossEntropyLoss', nn.CrossEntropyLoss, {},
         lambda: (U(5, lo=-3, hi=3), torch.tensor(3)))
    case('NLLLoss/spatial', 'NLLLoss', nn.NLLLoss, {},
         lambda: (torch.log_softmax(U(2, 3, 4, lo=-3, hi=3), 1), torch.randint(0, 3, (2, 4))))
    case('BCELoss/weight', 'BCELoss', nn.BCELoss, {'weight': [0.5, 1.0, 2.0]},
         lambda: (U(4, 3, lo=0.05, hi=0.95), U(4, 3, lo=0, hi=1)))
    case('BCEWithLogitsLoss/weight_pos_weight', 'BCEWithLogitsLoss', nn.BCEWithLogitsLoss,
         {'weight': [0.5, 1.0, 2.0], 'pos_weight': [2.0, 0.5, 1.0]},
         lambda: (U(4, 3, lo=-4, hi=4), U(4, 3, lo=0, hi=1)))
    # a saturated sigmoid output (exactly 0 or 1) that is right: torch's loss and gradient there are 0, not NaN
    case('BCELoss/saturated_right', 'BCELoss', nn.BCELoss, {},
         lambda: (torch.tensor([0.0, 1.0, 0.5, 0.25]), torch.tensor([0.0, 1.0, 0.25, 1.0])))
    # ... and wrong: torch clamps each log term at -100 (documented), so the loss is 100, not inf, and the
    # gradient is (x - y) / max(x (1 - x), 1e-12) = -+1e12
    case('BCELoss/saturated_wrong', 'BCELoss', nn.BCELoss, {},
         lambda: (torch.tensor([0.0, 1.0, 0.5]), torch.tensor([1.0, 0.0, 0.5])))
    # every target ignored: torch's 'mean' is NaN (0/0), yet its gradient is 0; 'sum' and 'none' are 0
    case('CrossEntropyLoss/all_ignored', 'CrossEntropyLoss', nn.CrossEntropyLoss, {'ignore_index': 2},
         lambda: (U(3, 4, lo=-3, hi=3), torch.tensor([2, 2, 2])))
    case('CrossEntropyLoss/all_ignored_weight_smoothing', 'CrossEntropyLoss', nn.CrossEntropyLoss,
         {'ignore_index': 0, 'weight': [1.0, 2.0, 0.5, 1.5], 'label_smoothing': 0.1},
         lambda: (U(3, 4, lo=-3, hi=3), torch.tensor([0, 0, 0])))
    case('CrossEntropyLoss/all_ignored_spatial', 'CrossEntropyLoss', nn.CrossEntropyLoss, {},
         lambda: (U(2, 3, 2, lo=-3, hi=3), torch.full((2, 2), -100)))
    case('NLLLoss/all_ignored', 'NLLLoss', nn.NLLLoss, {'ignore_index': 1},
         lambda: (torch.log_softmax(U(3, 4, lo=-3, hi=3), 1), torch.tensor([1, 1, 1])))
    case('SmoothL1Loss/beta_zero', 'SmoothL1Loss', nn.SmoothL1Loss, {'beta': 0.0}, lambda: (U(4, 3) * 2, U(4, 3)))
    # KLDivLoss: log-probabilities in; 'batchmean' (the sum over the batch size) is its own reduction
    kl = ('mean', 'sum', 'none', 'batchmean')
    case('KLDivLoss/probabilities', 'KLDivLoss', nn.KLDivLoss, {},
         lambda: (torch.log_softmax(U(4, 5, lo=-3, hi=3), 1), torch.softmax(U(4, 5) * 2, 1)), reductions=kl)
    # one-hot rows, as LayerLab gives MNIST labels: y·log y is 0 where y = 0 (torch's xlogy), not NaN
    case('KLDivLoss/one_hot', 'KLDivLoss', nn.KLDivLoss, {},
         lambda: (torch.log_softmax(U(4, 5, lo=-3, hi=3), 1), F.one_hot(torch.tensor([0, 3, 4, 1]), 5).float()), reductions=kl)
    case('KLDivLoss/log_target', 'KLDivLoss', nn.KLDivLoss, {'log_target': True},
         lambda: (torch.log_softmax(U(4, 5, lo=-3, hi=3), 1), torch.log_softmax(U(4, 5) * 2, 1)), reductions=kl)
    case('KLDivLoss/3d', 'KLDivLoss', nn.KLDivLoss, {},
         lambda: (torch.log_softmax(U(2, 3, 4, lo=-3, hi=3), 1), torch.softmax(U(2, 3, 4), 1)), reductions=kl)
    # MultiMarginLoss: raw scores and class indices; scores within about a margin of each other, so some terms are
    # active and some clamped at 0 in every row
    case('MultiMarginLoss/basic', 'MultiMarginLoss', nn.MultiMarginLoss, {},
         lambda: (U(6, 4, lo=-1, hi=1), torch.tensor([0, 1, 2, 3, 1, 2])))
    case('MultiMarginLoss/p2_margin', 'MultiMarginLoss', nn.MultiMarginLoss, {'p': 2, 'margin': 0.5},
         lambda: (U(6, 4, lo=-1, hi=1), torch.tensor([3, 1, 0, 2, 2, 0])))
    case('MultiMarginLoss/weight', 'MultiMarginLoss', nn.MultiMarginLoss, {'weight': [1.0, 2.0, 0.5, 1.5]},
         lambda: (U(6, 4, lo=-1, hi=1), torch.tensor([0, 1, 2, 3, 1, 1])))
    case('MultiMarginLoss/p2_weight_margin2', 'MultiMarginLoss', nn.MultiMarginLoss, {'p': 2, 'margin': 2.0, 'weight': [0.5, 1.0, 2.0]},
         lambda: (U(5, 3, lo=-2, hi=2), torch.tensor([2, 0, 1, 1, 0])))
    case('MultiMarginLoss/unbatched', 'MultiMarginLoss', nn.MultiMarginLoss, {},
         lambda: (U(5, lo=-1, hi=1), torch.tensor(3)))
    write('losses.json', cases)


# -------------------------------------------------------------------------------------------------------- optimizers

def optimizers(steps=10):
    cases = []

    def case(name, optimizer, ctor, kwargs, groups=None):
        seed(name)
        params = {'weight': U(3, 2), 'bias': U(3)}
        leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
        if groups is None:
            opt = ctor(list(leaves.values()), **kwargs)
        else:
            opt = ctor([{**g, 'params': [leaves[k] for k in g['params']]} for g in groups], **kwargs)
        grads, after = [], []
        for _ in range(steps):
            g = {k: N(*v.shape) for k, v in params.items()}
            for k, p in leaves.items():
                p.grad = g[k].clone()
            opt.step()
            grads.append({k: enc(v) for k, v in g.items()})
            after.append({k: enc(p) for k, p in leaves.items()})
        rec = {'name': name, 'optimizer': optimizer, 'kwargs': camel_kwargs(kwargs),
               'params': {k: enc(v) for k, v in params.items()}, 'grads': grads, 'after': after}
        if groups is not None:
            rec['groups'] = [camel_kwargs(g) for g in groups]
        cases.append(rec)

    O = torch.optim
    case('SGD/defaults', 'SGD', O.SGD, {'lr': 0.1})  # torch 1.13's SGD has no default lr
    case('SGD/momentum', 'SGD', O.SGD, {'lr': 0.1, 'momentum': 0.9})
    case('SGD/momentum_dampening_wd', 'SGD', O.SGD, {'lr': 0.05, 'momentum': 0.8, 'dampening': 0.3,
                                                     'weight_decay': 0.01})
    case('SGD/nesterov', 'SGD', O.SGD, {'lr': 0.05, 'momentum': 0.9, 'nesterov': True, 'weight_decay': 0.1})
    case('SGD/weight_decay', 'SGD', O.SGD, {'lr': 0.1, 'weight_decay': 0.5})
    case('Adam/defaults', 'Adam', O.Adam, {})
    case('Adam/options', 'Adam', O.Adam, {'lr': 0.01, 'betas': (0.8, 0.99), 'eps': 1e-6, 'weight_decay': 0.1})
    case('Adam/amsgrad', 'Adam', O.Adam, {'lr': 0.01, 'amsgrad': True})
    case('AdamW/defaults', 'AdamW', O.AdamW, {})
    case('AdamW/options', 'AdamW', O.AdamW, {'lr': 0.01, 'betas': (0.85, 0.98), 'eps': 1e-7, 'weight_decay': 0.1})
    case('AdamW/amsgrad', 'AdamW', O.AdamW, {'lr': 0.01, 'weight_decay': 0.05, 'amsgrad': True})
    case('RMSprop/defaults', 'RMSprop', O.RMSprop, {})
    case('RMSprop/options', 'RMSprop', O.RMSprop, {'lr': 0.005, 'alpha': 0.9, 'eps': 1e-6, 'weight_decay': 0.01,
                                                   'momentum': 0.5})
    case('RMSprop/centered', 'RMSprop', O.RMSprop, {'lr': 0.005, 'centered': True, 'momentum': 0.3})
    case('Adagrad/defaults', 'Adagrad', O.Adagrad, {})
    case('Adagrad/options', 'Adagrad', O.Adagrad, {'lr': 0.05, 'lr_decay': 0.01, 'weight_decay': 0.1,
                                                   'initial_accumulator_value': 0.1, 'eps': 1e-8})
    case('SGD/param_groups', 'SGD', O.SGD, {'lr': 0.1, 'momentum': 0.9},
         groups=[{'params': ['weight']}, {'params': ['bias'], 'lr': 0.01, 'momentum': 0.5}])
    case('Adam/param_groups', 'Adam', O.Adam, {'lr': 0.01},
         groups=[{'params': ['weight'], 'weight_decay': 0.1}, {'params': ['bias'], 'betas': (0.5, 0.9)}])
    case('Adadelta/defaults', 'Adadelta', O.Adadelta, {})
    case('Adadelta/options', 'Adadelta', O.Adadelta, {'lr': 0.5, 'rho': 0.8, 'eps': 1e-5, 'weight_decay': 0.1})
    case('SGD/maximize', 'SGD', O.SGD, {'lr': 0.1, 'momentum': 0.5, 'maximize': True})
    case('Adam/maximize', 'Adam', O.Adam, {'lr': 0.01, 'weight_decay': 0.1, 'maximize': True})
    case('Adam/maximize_amsgrad', 'Adam', O.Adam, {'lr': 0.01, 'amsgrad': True, 'maximize': True})
    case('AdamW/maximize', 'AdamW', O.AdamW, {'lr': 0.01, 'weight_decay': 0.1, 'maximize': True})
    case('RMSprop/maximize', 'RMSprop', O.RMSprop, {'lr': 0.005, 'weight_decay': 0.01, 'momentum': 0.5,
                                                    'centered': True, 'maximize': True})
    case('Adagrad/maximize', 'Adagrad', O.Adagrad, {'lr': 0.05, 'lr_decay': 0.01, 'weight_decay': 0.1,
                                                    'maximize': True})
    case('Adadelta/maximize', 'Adadelta', O.Adadelta, {'lr': 0.5, 'weight_decay': 0.1, 'maximize': True})
    case('NAdam/defaults', 'NAdam', O.NAdam, {})
    case('NAdam/options', 'NAdam', O.NAdam, {'lr': 0.01, 'betas': (0.8, 0.99), 'eps': 1e-6, 'weight_decay': 0.1,
                                             'momentum_decay': 0.01})
    case('RAdam/defaults', 'RAdam', O.RAdam, {})
    # beta2 0.9: rho_t passes 5 at step 6, so the ten steps cover both the momentum-only and the rectified branch
    case('RAdam/options', 'RAdam', O.RAdam, {'lr': 0.01, 'betas': (0.8, 0.9), 'eps': 1e-6, 'weight_decay': 0.1})
    case('Adamax/defaults', 'Adamax', O.Adamax, {})
    case('Adamax/options', 'Adamax', O.Adamax, {'lr': 0.01, 'betas': (0.8, 0.9), 'eps': 1e-6, 'weight_decay': 0.1})
    case('Adamax/maximize', 'Adamax', O.Adamax, {'lr': 0.01, 'weight_decay': 0.1, 'maximize': True})
    write('optim.json', cases)


def init_stats():
    """Default initialisation: torch's RNG can't be matched, so record each state tensor's distribution
    (count, min, max, mean, std) for a freshly constructed layer; the TS test compares its own statistics."""
    cases = []

    def case(name, layer, args, kwargs):
        seed(name)
        mod = getattr(nn, layer)(*args, **kwargs)
        stats = {}
        for k, v in mod.state_dict().items():
            d = v.detach().double().reshape(-1)
            stats[k] = {'n': d.numel(), 'min': d.min().item(), 'max': d.max().item(), 'mean': d.mean().item(),
                        'std': d.std(unbiased=False).item()}
        cases.append({'name': name, 'layer': layer, 'args': list(args), 'kwargs': camel_kwargs(kwargs), 'stats': stats})

    case('Linear/large', 'Linear', (400, 300), {})
    case('Linear/mnist', 'Linear', (784, 10), {})
    case('Conv2d/k5', 'Conv2d', (16, 32, 5), {})
    case('Conv2d/groups', 'Conv2d', (16, 32, 3), {'groups': 4})
    case('BatchNorm2d/basic', 'BatchNorm2d', (8,), {})
    case('RNN/basic', 'RNN', (64, 128), {})
    case('LSTM/2layers', 'LSTM', (64, 32), {'num_layers': 2})
    case('GRU/basic', 'GRU', (32, 64), {})
    case('GRU/bidirectional', 'GRU', (32, 64), {'bidirectional': True, 'num_layers': 2})
    case('LSTM/proj_size', 'LSTM', (32, 64), {'proj_size': 16})
    write('init.json', cases)


def clip_grad():
    cases = []

    def case(name, max_norm, norm_type, scale=1.0):
        seed(name)
        grads = {'weight': N(3, 4) * scale, 'bias': N(3) * scale}
        params = [torch.zeros(v.shape, requires_grad=True) for v in grads.values()]
        for p, g in zip(params, grads.values()):
            p.grad = g.clone()
        total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
        cases.append({'name': name, 'max_norm': max_norm, 'norm_type': 'inf' if norm_type == float('inf') else norm_type,
                      'grads': {k: enc(v) for k, v in grads.items()}, 'total_norm': f32(total.item()),
                      'clipped': {k: enc(p.grad) for k, p in zip(grads, params)}})

    case('clip/l2', 1.0, 2.0)
    case('clip/l2_no_clip', 100.0, 2.0)
    case('clip/l1', 2.0, 1.0)
    case('clip/l3', 0.5, 3.0)
    case('clip/inf', 0.5, float('inf'))
    case('clip/large_grads', 5.0, 2.0, scale=1000.0)
    write('clip_grad.json', cases)


def safetensors_state():
    """Sequential/cnn's state from layers.json as torch would save it (num_batches_tracked as I64), after one
    training step so the running stats are not their defaults; the TS test loads it and compares eval output."""
    seed('safetensors/cnn')
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(8, 3))
    model.train()
    model(U(4, 1, 4, 4))
    model.eval()
    x = U(2, 1, 4, 4)
    write_safetensors(os.path.join(FIXTURES, 'cnn_state.safetensors'), model.state_dict())
    write('cnn_state.json', [{'name': 'safetensors/cnn', 'keys': list(model.state_dict()), 'input': enc(x),
                              'eval_out': enc(model(x))}])


# ---------------------------------------------------------------------------------------------------------- training

class LastStep(nn.Module):
    """torch has no returnLastStep: an LSTM/GRU/RNN whose output is the top layer's last h, as the engine's option."""

    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x):
        _, h = self.rnn(x)
        return (h[0] if isinstance(h, tuple) else h)[-1]

    def state_dict(self, *args, **kwargs):  # the wrapped layer's names, as the engine has no wrapper
        return self.rnn.state_dict(*args, **kwargs)

    def load_state_dict(self, *args, **kwargs):
        return self.rnn.load_state_dict(*args, **kwargs)


def training():
    cases = []

    def case(name, children, optimizer, opt_kwargs, loss, xs, classes, steps, eval_xs=None, scheduler=None):
        seed(name)
        mods = []
        for layer, a, kw in children:
            ctor_kw = {k: v for k, v in kw.items() if k != 'return_last_step'}
            m = getattr(nn, layer)(*a, **ctor_kw)
            mods.append(LastStep(m) if kw.get('return_last_step') else m)
        model = nn.Sequential(*mods)
        # state_dict through the wrappers: rebuild names as the engine's Sequential has them
        def state():
            out = {}
            for i, m in enumerate(model):
                for k, v in m.state_dict().items():
                    out[f'{i}.{k}'] = v.detach().clone()
            return out
        initial = state()
        opt = getattr(torch.optim, optimizer)(model.parameters(), **opt_kwargs)
        sched = getattr(torch.optim.lr_scheduler, scheduler[0])(opt, **scheduler[1]) if scheduler else None
        loss_fn = getattr(nn, loss)()
        batches, losses_ = [], []
        model.train()
        for _ in range(steps):
            x = U(*xs)
            y = torch.randint(0, classes, (xs[0],)) if loss in ('CrossEntropyLoss', 'NLLLoss') else U(xs[0], classes)
            out = loss_fn(model(x), y)
            opt.zero_grad()
            out.backward()
            opt.step()
            if sched:
                sched.step()  # per batch, as OneCycleLR is meant to be used
            batches.append({'x': enc(x), 'y': enc(y)})
            losses_.append(f32(out.item()))
        rec = {'name': name, 'children': [{'layer': l, 'args': list(a), 'kwargs': camel_kwargs(kw)}
                                          for l, a, kw in children],
               'optimizer': optimizer, 'kwargs': camel_kwargs(opt_kwargs), 'loss': loss,
               'state': {k: enc(v) for k, v in initial.items()}, 'batches': batches, 'losses': losses_,
               'state_after': {k: enc(v) for k, v in state().items()}}
        if scheduler:
            rec['scheduler'] = {'name': scheduler[0], 'kwargs': camel_kwargs(scheduler[1])}
        if eval_xs:
            model.eval()
            x = U(*eval_xs)
            rec['eval'] = {'x': enc(x), 'out': enc(model(x))}
        cases.append(rec)

    case('mlp_sgd_momentum', [('Linear', (6, 8), {}), ('Tanh', (), {}), ('Linear', (8, 3), {})],
         'SGD', {'lr': 0.1, 'momentum': 0.9, 'weight_decay': 1e-3}, 'CrossEntropyLoss', (5, 6), 3, 8, (3, 6))
    # conv without bias before BatchNorm: that bias's true gradient is 0, so torch's is rounding noise, which Adam
    # (m / √v) turns into full ±lr steps: an ill-posed comparison, and the usual practice is bias=False anyway
    case('cnn_bn_adam', [('Conv2d', (1, 3, 3), {'padding': 1, 'bias': False}), ('BatchNorm2d', (3,), {}), ('ReLU', (), {}),
                         ('MaxPool2d', (2,), {}), ('Flatten', (), {}), ('Linear', (12, 4), {})],
         'Adam', {'lr': 0.01}, 'CrossEntropyLoss', (4, 1, 4, 4), 4, 6, (3, 1, 4, 4))
    case('lstm_rmsprop', [('LSTM', (3, 5), {'batch_first': True, 'return_last_step': True}), ('Linear', (5, 2), {})],
         'RMSprop', {'lr': 0.01, 'momentum': 0.5}, 'MSELoss', (4, 6, 3), 2, 6)
    case('gru_adamw', [('GRU', (3, 4), {'batch_first': True, 'num_layers': 2, 'return_last_step': True}),
                       ('Linear', (4, 3), {})], 'AdamW', {'lr': 0.02}, 'CrossEntropyLoss', (4, 5, 3), 3, 6)
    # bidirectional, and the engine's returnLastStep on it: hN[-1], the top layer's reverse direction
    case('bilstm_adam', [('LSTM', (3, 5), {'batch_first': True, 'bidirectional': True, 'return_last_step': True}),
                         ('Linear', (5, 3), {})], 'Adam', {'lr': 0.02}, 'CrossEntropyLoss', (4, 6, 3), 3, 6)
    # a scheduler stepped per batch changes lr and, for OneCycleLR, Adam's beta1: the optimizer must read them
    case('mlp_adam_onecycle', [('Linear', (6, 8), {}), ('GELU', (), {}), ('Linear', (8, 3), {})],
         'Adam', {'lr': 0.01}, 'CrossEntropyLoss', (5, 6), 3, 8,
         scheduler=('OneCycleLR', {'max_lr': 0.05, 'total_steps': 8}))
    case('mlp_sgd_momentum_steplr', [('Linear', (6, 8), {}), ('ReLU', (), {}), ('Linear', (8, 3), {})],
         'SGD', {'lr': 0.2, 'momentum': 0.9}, 'CrossEntropyLoss', (5, 6), 3, 8,
         scheduler=('StepLR', {'step_size': 3, 'gamma': 0.3}))
    write('training.json', cases)


# -------------------------------------------------------------------------------------------------------- schedulers

def schedulers():
    cases = []

    def case(name, scheduler, ctor, kwargs, epochs=20, lr=0.1, metrics=None, step_args=None):
        p = torch.zeros(1, requires_grad=True)
        opt = torch.optim.SGD([p], lr=lr)
        sched = ctor(opt, **kwargs)
        lrs, momenta = [], []
        for e in range(epochs):
            lrs.append(opt.param_groups[0]['lr'])  # a Python float (float64), not rounded to float32
            momenta.append(opt.param_groups[0]['momentum'])
            opt.step()
            if metrics is not None:
                sched.step(metrics[e])
            elif step_args is not None:
                sched.step(step_args[e])
            else:
                sched.step()
        rec = {'name': name, 'scheduler': scheduler, 'kwargs': camel_kwargs(kwargs), 'lr': lr, 'epochs': epochs,
               'lrs': lrs}
        if metrics is not None:
            rec['metrics'] = metrics
        if step_args is not None:
            rec['stepArgs'] = step_args
        if any(m != 0 for m in momenta):  # OneCycleLR cycles the SGD momentum too
            rec['momenta'] = momenta
        cases.append(rec)

    S = torch.optim.lr_scheduler
    case('StepLR/basic', 'StepLR', S.StepLR, {'step_size': 3, 'gamma': 0.5})
    case('StepLR/default_gamma', 'StepLR', S.StepLR, {'step_size': 4})
    case('MultiStepLR/basic', 'MultiStepLR', S.MultiStepLR, {'milestones': [2, 5, 9], 'gamma': 0.5})
    case('ExponentialLR/basic', 'ExponentialLR', S.ExponentialLR, {'gamma': 0.9})
    case('CosineAnnealingLR/basic', 'CosineAnnealingLR', S.CosineAnnealingLR, {'T_max': 10})
    case('CosineAnnealingLR/eta_min', 'CosineAnnealingLR', S.CosineAnnealingLR, {'T_max': 8, 'eta_min': 0.01},
         epochs=8)
    case('LinearLR/defaults', 'LinearLR', S.LinearLR, {})
    case('LinearLR/options', 'LinearLR', S.LinearLR, {'start_factor': 0.25, 'end_factor': 0.75, 'total_iters': 6})
    case('ConstantLR/basic', 'ConstantLR', S.ConstantLR, {'factor': 0.5, 'total_iters': 4})
    case('OneCycleLR/defaults', 'OneCycleLR', S.OneCycleLR, {'max_lr': 0.1, 'total_steps': 20}, epochs=20)
    case('OneCycleLR/linear', 'OneCycleLR', S.OneCycleLR,
         {'max_lr': 0.5, 'total_steps': 15, 'pct_start': 0.4, 'anneal_strategy': 'linear', 'div_factor': 10.0,
          'final_div_factor': 100.0, 'cycle_momentum': False}, epochs=15)
    falling = [1.0, 0.9, 0.8, 0.8, 0.8, 0.8, 0.79, 0.79, 0.79, 0.79, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    rising = [0.1, 0.2, 0.2, 0.2, 0.2, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]
    case('ReduceLROnPlateau/defaults', 'ReduceLROnPlateau', S.ReduceLROnPlateau, {}, epochs=30,
         metrics=falling + [0.5] * 10)  # patience 10: the first cut comes at epoch 22
    case('ReduceLROnPlateau/options', 'ReduceLROnPlateau', S.ReduceLROnPlateau,
         {'factor': 0.5, 'patience': 1, 'threshold': 0.05, 'cooldown': 1, 'min_lr': 0.02}, metrics=falling)
    case('ReduceLROnPlateau/max_abs', 'ReduceLROnPlateau', S.ReduceLROnPlateau,
         {'mode': 'max', 'factor': 0.2, 'patience': 2, 'threshold': 0.05, 'threshold_mode': 'abs'}, metrics=rising)
    case('PolynomialLR/defaults', 'PolynomialLR', S.PolynomialLR, {}, epochs=8)
    case('PolynomialLR/power', 'PolynomialLR', S.PolynomialLR, {'total_iters': 7, 'power': 2.5}, epochs=10)
    case('CosineAnnealingWarmRestarts/basic', 'CosineAnnealingWarmRestarts', S.CosineAnnealingWarmRestarts, {'T_0': 4})
    case('CosineAnnealingWarmRestarts/t_mult', 'CosineAnnealingWarmRestarts', S.CosineAnnealingWarmRestarts,
         {'T_0': 2, 'T_mult': 2, 'eta_min': 0.01}, epochs=24)
    # Stepped per batch as torch's docs show, scheduler.step(epoch + i / iters), here 4 batches an epoch.
    case('CosineAnnealingWarmRestarts/per_batch', 'CosineAnnealingWarmRestarts', S.CosineAnnealingWarmRestarts,
         {'T_0': 2, 'T_mult': 2, 'eta_min': 0.001}, epochs=28, step_args=[(e + 1) / 4 for e in range(28)])
    write('schedulers.json', cases)


# --------------------------------------------------------------------------------------------------------------- rnn

def rnns():
    cases = []

    def case(name, layer, ctor, args, kwargs, seq=5, batch=2, with_h0=False):
        """batch=None: unbatched input (L, C) and states (layers, H)."""
        seed(name)
        mod = ctor(*args, **kwargs)
        inp, hid = args[0], args[1]
        layers_ = kwargs.get('num_layers', 1) * (2 if kwargs.get('bidirectional') else 1)
        bf = kwargs.get('batch_first', False)
        if batch is None:
            x = U(seq, inp)
            state_shape = (layers_, hid)
        else:
            x = U(batch, seq, inp) if bf else U(seq, batch, inp)
            state_shape = (layers_, batch, hid)
        h_size = kwargs.get('proj_size', 0) or hid  # an LSTM with proj_size has h of that size, c of hidden_size
        h0 = U(*state_shape[:-1], h_size) * 0.5 if with_h0 else None
        c0 = U(*state_shape) * 0.5 if (with_h0 and layer == 'LSTM') else None
        xl = x.clone().requires_grad_(True)
        h0l = h0.clone().requires_grad_(True) if h0 is not None else None
        c0l = c0.clone().requires_grad_(True) if c0 is not None else None
        if layer == 'LSTM':
            out, (hn, cn) = mod(xl, (h0l, c0l)) if with_h0 else mod(xl)
        else:
            out, hn = mod(xl, h0l) if with_h0 else mod(xl)
            cn = None
        g, gh = N(*out.shape), N(*hn.shape)
        loss = (out * g).sum() + (hn * gh).sum()
        gc = None
        if cn is not None:
            gc = N(*cn.shape)
            loss = loss + (cn * gc).sum()
        loss.backward()
        grads = {'input': enc(xl.grad)}
        if h0l is not None:
            grads['h0'] = enc(h0l.grad)
        if c0l is not None:
            grads['c0'] = enc(c0l.grad)
        for k, p in mod.named_parameters():
            grads[k] = enc(p.grad)
        rec = {'name': name, 'layer': layer, 'args': list(args), 'kwargs': camel_kwargs(kwargs), 'repr': repr(mod),
               'state': {k: enc(v) for k, v in mod.state_dict().items()}, 'input': enc(x), 'h0': enc(h0),
               'c0': enc(c0), 'out': enc(out), 'h_n': enc(hn), 'c_n': enc(cn), 'grad_out': enc(g),
               'grad_h_n': enc(gh), 'grad_c_n': enc(gc), 'grads': grads}
        cases.append({k: v for k, v in rec.items() if v is not None})

    case('RNN/tanh_1layer', 'RNN', nn.RNN, (3, 4), {})
    case('RNN/relu_2layers_batch_first_h0', 'RNN', nn.RNN, (3, 4),
         {'num_layers': 2, 'nonlinearity': 'relu', 'batch_first': True}, with_h0=True)
    case('RNN/no_bias', 'RNN', nn.RNN, (2, 3), {'bias': False}, seq=4)
    case('LSTM/1layer', 'LSTM', nn.LSTM, (3, 4), {})
    case('LSTM/1layer_h0', 'LSTM', nn.LSTM, (3, 4), {}, with_h0=True)
    case('LSTM/2layers_batch_first', 'LSTM', nn.LSTM, (3, 4), {'num_layers': 2, 'batch_first': True})
    case('LSTM/2layers_h0', 'LSTM', nn.LSTM, (2, 3), {'num_layers': 2}, seq=4, batch=3, with_h0=True)
    case('GRU/1layer', 'GRU', nn.GRU, (3, 4), {})
    case('GRU/1layer_batch_first_h0', 'GRU', nn.GRU, (3, 4), {'batch_first': True}, with_h0=True)
    case('GRU/2layers', 'GRU', nn.GRU, (3, 4), {'num_layers': 2}, batch=3)
    case('RNN/unbatched', 'RNN', nn.RNN, (3, 4), {}, batch=None)
    case('LSTM/unbatched_h0', 'LSTM', nn.LSTM, (3, 4), {'num_layers': 2}, batch=None, with_h0=True)
    case('GRU/unbatched_batch_first_h0', 'GRU', nn.GRU, (2, 3), {'batch_first': True}, batch=None, with_h0=True)
    # bidirectional: *_reverse weights, outputs (..., 2H), states (2 * layers, N, H)
    case('LSTM/bidirectional', 'LSTM', nn.LSTM, (3, 4), {'bidirectional': True})
    case('LSTM/bidirectional_2layers_batch_first_h0', 'LSTM', nn.LSTM, (3, 4),
         {'num_layers': 2, 'batch_first': True, 'bidirectional': True}, with_h0=True)
    case('GRU/bidirectional_2layers', 'GRU', nn.GRU, (3, 4), {'num_layers': 2, 'bidirectional': True}, batch=3)
    case('GRU/bidirectional_unbatched_h0', 'GRU', nn.GRU, (2, 3), {'bidirectional': True}, batch=None, with_h0=True)
    # proj_size: h = W_hr (o * tanh(c)); h0/h_n and the outputs are proj_size wide, c0/c_n hidden_size
    case('LSTM/proj_size', 'LSTM', nn.LSTM, (3, 5), {'proj_size': 2})
    case('LSTM/proj_size_2layers_bidirectional_h0', 'LSTM', nn.LSTM, (3, 5),
         {'proj_size': 3, 'num_layers': 2, 'bidirectional': True, 'batch_first': True}, with_h0=True)
    case('LSTM/proj_size_no_bias_unbatched_h0', 'LSTM', nn.LSTM, (2, 4), {'proj_size': 1, 'bias': False},
         batch=None, with_h0=True)
    case('RNN/bidirectional_relu_no_bias_h0', 'RNN', nn.RNN, (3, 4),
         {'nonlinearity': 'relu', 'bias': False, 'bidirectional': True}, with_h0=True)
    write('rnn.json', cases)


# ------------------------------------------------------------------------------------------------------------ mnist

def read_idx(path):
    with gzip.open(path, 'rb') as f:
        raw = f.read()
    magic, count = struct.unpack('>II', raw[:8])
    if magic == 0x803:
        rows, cols = struct.unpack('>II', raw[8:16])
        return np.frombuffer(raw, np.uint8, offset=16).reshape(count, rows * cols)
    if magic == 0x801:
        return np.frombuffer(raw, np.uint8, offset=8)
    raise ValueError(f'{path}: unknown IDX magic {magic:#x}')


def write_safetensors(path, tensors):
    """safetensors: u64 little-endian header length, JSON header (padded with spaces to 8 bytes), raw data."""
    header, blobs, offset = {}, [], 0
    for k, t in tensors.items():
        if t.dtype == torch.int64:  # what torch's own save_file writes for num_batches_tracked
            b, dtype = t.detach().contiguous().numpy().astype('<i8').tobytes(), 'I64'
        else:
            b, dtype = t.detach().contiguous().to(torch.float32).numpy().astype('<f4').tobytes(), 'F32'
        header[k] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def mnist(lr=0.5, batch_size=64):
    images = read_idx(os.path.join(MNIST, 'train-images-idx3-ubyte.gz'))
    labels = read_idx(os.path.join(MNIST, 'train-labels-idx1-ubyte.gz'))
    seed('mnist_logreg')
    model = nn.Linear(784, 10)
    os.makedirs(FIXTURES, exist_ok=True)
    write_safetensors(os.path.join(FIXTURES, 'mnist_logreg_init.safetensors'),
                      {'weight': model.weight, 'bias': model.bias})
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    x_all = torch.from_numpy(images.copy()).float() / 255
    y_all = torch.from_numpy(labels.astype(np.int64))
    losses_ = []
    for start in range(0, len(y_all), batch_size):
        x, y = x_all[start:start + batch_size], y_all[start:start + batch_size]
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses_.append(f32(loss.item()))
    rec = {'generator': 'engine/test/gen_fixtures.py', 'torch': torch.__version__,
           'model': 'Linear(784, 10), state "weight" [10,784], "bias" [10]',
           'init': 'mnist_logreg_init.safetensors', 'data': '../shared/data/mnist/train-*-idx*-ubyte.gz',
           'lr': lr, 'batch_size': batch_size, 'shuffle': False, 'batches': len(losses_), 'losses': losses_,
           'final_weight_sum': f32(model.weight.sum().item()), 'final_bias': enc(model.bias)}
    with open(os.path.join(FIXTURES, 'mnist_logreg.json'), 'w') as f:
        json.dump(rec, f)
    print(f'mnist_logreg.json: {len(losses_)} batches, first {losses_[0]}, last {losses_[-1]}')


PARTS = {'ops': ops, 'layers': layers, 'losses': losses, 'optim': optimizers, 'schedulers': schedulers,
         'rnn': rnns, 'training': training, 'init': init_stats, 'clip_grad': clip_grad, 'safetensors': safetensors_state, 'mnist': mnist}

if __name__ == '__main__':
    for part in sys.argv[1:] or list(PARTS):
        PARTS[part]()

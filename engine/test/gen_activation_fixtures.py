"""Writes fixtures/activations.json: the activations added to the catalogue in #18, from PyTorch 1.13.

Run: /usr/bin/python3 engine/test/gen_activation_fixtures.py

Each case is a catalogue row (`op`, its camelCase `params`) and the torch module those params make: its repr, its
state dict, an input, the output, a random upstream gradient and the gradients of the input and of each parameter.
'/kinks' cases put inputs exactly on the points where the derivative jumps (0, ±1, ±3, 6, the given bounds), so
the engine must pick torch's side; '/extreme' cases use large |x| (±20.5 to ±1e4), where a naive formula overflows.
The tensor encoding is gen_fixtures.py's (`enc`), so fixtures.ts reads it.
"""
import json
import os
import sys

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_fixtures import FIXTURES, N, U, enc, seed  # noqa: E402

torch.set_num_threads(1)

KINKS = [-6.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 6.0]
EXTREME = [-1e4, -1000.0, -100.0, -30.0, -20.5, -17.0, -8.0, 8.0, 17.0, 20.5, 30.0, 100.0, 1000.0, 1e4]

cases = []


def case(name, op, params, module, x):
    seed(name)
    x = x.clone().requires_grad_(True)
    for p in module.parameters():
        p.grad = None  # a module serves several cases: each case's gradients are its own
    state = {k: v.clone() for k, v in module.state_dict().items()}
    out = module(x)
    g = N(*out.shape)
    (out * g).sum().backward()
    cases.append({
        'name': name, 'op': op, 'params': params, 'repr': repr(module), 'state': {k: enc(v) for k, v in state.items()},
        'input': enc(x), 'out': enc(out), 'grad_out': enc(g),
        'grads': {'input': enc(x.grad), **{k: enc(p.grad) for k, p in module.named_parameters()}},
    })


def standard(op, params, module, shape=(2, 3, 4), label=''):
    """A random case, a case on the kinks and a case at extreme inputs, all with the same module."""
    name = op + label
    seed(name + '/random')
    case(f'{name}/random', op, params, module, U(*shape, lo=-4.0, hi=4.0))
    case(f'{name}/kinks', op, params, module, torch.tensor(KINKS))
    case(f'{name}/extreme', op, params, module, torch.tensor(EXTREME))


standard('ReLU6', {}, nn.ReLU6())
standard('Hardtanh', {}, nn.Hardtanh())
standard('Hardtanh', {'minVal': -0.5, 'maxVal': 2.0}, nn.Hardtanh(-0.5, 2.0), shape=(3, 5), label='(-0.5,2)')
standard('Hardswish', {}, nn.Hardswish())
standard('Hardsigmoid', {}, nn.Hardsigmoid())
standard('Mish', {}, nn.Mish())
standard('SELU', {}, nn.SELU())
standard('CELU', {}, nn.CELU())
standard('CELU', {'alpha': 0.7}, nn.CELU(0.7), shape=(4, 3), label='(0.7)')
standard('Softsign', {}, nn.Softsign())
standard('LogSigmoid', {}, nn.LogSigmoid())
standard('Softmin', {'dim': -1}, nn.Softmin(dim=-1), label='(dim=-1)')
seed('Softmin(dim=1)')
case('Softmin(dim=1)/random', 'Softmin', {'dim': 1}, nn.Softmin(dim=1), U(2, 3, 4, lo=-4.0, hi=4.0))
standard('PReLU', {}, nn.PReLU())
# One slope per channel, set apart from init so each channel's gradient is its own.
seed('PReLU(3)')
per_channel = nn.PReLU(3, init=0.1)
with torch.no_grad():
    per_channel.weight.copy_(torch.tensor([0.1, -0.3, 0.7]))
case('PReLU(3)/random', 'PReLU', {'numParameters': 3, 'init': 0.1}, per_channel, U(2, 3, 4, lo=-4.0, hi=4.0))
case('PReLU(3)/image', 'PReLU', {'numParameters': 3, 'init': 0.1}, per_channel, U(2, 3, 2, 2, lo=-4.0, hi=4.0))

path = os.path.join(FIXTURES, 'activations.json')
with open(path, 'w') as f:
    f.write('{"generator": "engine/test/gen_activation_fixtures.py", "torch": %s,\n"cases": [\n' % json.dumps(torch.__version__))
    f.write(',\n'.join(json.dumps(c, separators=(',', ':')) for c in cases))
    f.write('\n]}\n')
print(f'activations.json: {len(cases)} cases, {os.path.getsize(path)} bytes')

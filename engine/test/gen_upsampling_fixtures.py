"""Writes upsampling.json: nn.ConvTranspose2d and nn.Upsample cases from PyTorch 1.13 (engine/test/upsampling.test.ts, which the parity suite runs on every backend).

Run: /usr/bin/python3 engine/test/gen_upsampling_fixtures.py
Each case: the module's constructor arguments (as the engine's options), torch's repr, its state dict (names and
values), an input, the output, and the gradients of loss = Σ out · coef with coef[i] = sin(0.37·i + 0.1), so every
output element matters (the same weighting as engine/nn/fixtures/gen_nn_fixtures.py).
"""
import json, math, os
import torch
import torch.nn as nn

torch.manual_seed(0)


def flat(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().reshape(-1).tolist()]}


def coef(t):
    return torch.tensor([math.sin(0.37 * i + 0.1) for i in range(t.numel())], dtype=t.dtype).reshape(t.shape)


def case(name, module, options, x):
    x = x.clone().requires_grad_(True)
    state = {k: flat(v) for k, v in module.state_dict().items()}
    out = module(x)
    (out * coef(out)).sum().backward()
    return {
        "name": name, "options": options, "repr": repr(module), "state": state, "input": flat(x), "output": flat(out),
        "inputGrad": flat(x.grad), "paramGrads": {k: flat(p.grad) for k, p in module.named_parameters()},
    }


def ct(name, args, kwargs, x):
    """A ConvTranspose2d; `kwargs` use torch's names, `options` the engine's."""
    engine_names = {"stride": "stride", "padding": "padding", "output_padding": "outputPadding", "groups": "groups",
                    "bias": "bias", "dilation": "dilation"}
    options = {"args": list(args), **{engine_names[k]: v for k, v in kwargs.items()}}
    return case(name, nn.ConvTranspose2d(*args, **kwargs), options, x)


def up(name, kwargs, x):
    engine_names = {"size": "size", "scale_factor": "scaleFactor", "mode": "mode", "align_corners": "alignCorners"}
    return case(name, nn.Upsample(**kwargs), {engine_names[k]: v for k, v in kwargs.items()}, x)


cases = [
    ct("ct_stride2", (3, 2, 2), {"stride": 2}, torch.randn(2, 3, 4, 4)),
    ct("ct_pad1", (2, 3, 3), {"padding": 1}, torch.randn(2, 2, 5, 4)),
    ct("ct_stride2_pad1_outpad1", (2, 4, 3), {"stride": 2, "padding": 1, "output_padding": 1}, torch.randn(2, 2, 4, 5)),
    ct("ct_groups2_nobias", (4, 6, (3, 2)), {"stride": (2, 1), "groups": 2, "bias": False}, torch.randn(2, 4, 3, 3)),
    ct("ct_dilation2", (2, 2, 3), {"dilation": 2, "padding": 1}, torch.randn(1, 2, 4, 4)),
    ct("ct_stride3_outpad2", (1, 2, 2), {"stride": 3, "output_padding": 2}, torch.randn(2, 1, 3, 3)),
    up("up_nearest_x2", {"scale_factor": 2}, torch.randn(2, 3, 3, 4)),
    up("up_nearest_size", {"size": (7, 5)}, torch.randn(2, 2, 3, 4)),
    up("up_nearest_x1_7", {"scale_factor": 1.7}, torch.randn(1, 2, 5, 6)),
    up("up_bilinear_x2", {"scale_factor": 2, "mode": "bilinear"}, torch.randn(2, 2, 3, 4)),
    up("up_bilinear_x2_align", {"scale_factor": 2, "mode": "bilinear", "align_corners": True}, torch.randn(2, 2, 3, 4)),
    up("up_bilinear_size", {"size": (5, 9), "mode": "bilinear"}, torch.randn(1, 2, 4, 3)),
    up("up_bilinear_x1_5_align", {"scale_factor": 1.5, "mode": "bilinear", "align_corners": True}, torch.randn(1, 1, 4, 5)),
    up("up_bilinear_down", {"size": (2, 3), "mode": "bilinear"}, torch.randn(1, 2, 5, 7)),
]

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "upsampling.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f)
print(f"wrote {len(cases)} cases to {out}")

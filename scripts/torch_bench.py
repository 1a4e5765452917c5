#!/usr/bin/env python3
"""PyTorch's side of `npm run bench -- --torch`: the four presets with speed targets, trained on real MNIST in
PyTorch on this machine, so that LayerLab's epoch seconds can be set against PyTorch's on the same CPU (the
issue's table was measured on another machine; these VMs differ by 1.5x from one session to the next).

Same models, optimizers and batch size as the presets (common/spec/presets.ts), a full 60k-sample epoch per
epoch, shuffled, with the plain loop of "What is torch.nn really?" (index, forward, loss, backward, step,
zero_grad). PyTorch's speed on these VMs swings with its thread setting (one thread beside OpenBLAS's own, or
one per core, which contend), so each preset runs under each setting in --threads and keeps the faster (by the
median epoch after the first). Prints one JSON document:
{"torch": version, "presets": {name: {"threads": n, "seconds": [epoch seconds...]}}}.

    /usr/bin/python3 scripts/torch_bench.py --data ../shared/data/mnist --epochs 3 --presets MLP,LeNet-5

Needs PyTorch (Debian: apt-get install python3-torch) with a fast BLAS: Debian's build uses the system libblas,
the reference one unless OpenBLAS is installed (apt-get install libopenblas0-pthread: matmul 3.7 -> 108 GFLOP/s
here). The bench says when PyTorch is missing. Never run by CI.
"""
import argparse
import gzip
import json
import os
import statistics
import time

import torch
from torch import nn
import torch.nn.functional as F

MEAN, STD = 0.1307, 0.3081


def read_idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


class MnistCnn(nn.Module):
    """The tutorial's Mnist_CNN, as the preset builds it."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(16, 16, 3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(16, 10, 3, stride=2, padding=1)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.relu(self.conv3(x))
        return F.avg_pool2d(x, 4).flatten(1)


def preset(name):
    """(model, optimizer factory, input shape, normalisation, loss) for a preset."""
    if name == 'Mnist_Logistic':
        return nn.Linear(784, 10), lambda p: torch.optim.SGD(p, lr=0.5), (784,), 'scale', F.cross_entropy
    if name == 'MLP':
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
        return model, lambda p: torch.optim.Adam(p, lr=1e-3), (1, 28, 28), 'standardize', F.cross_entropy
    if name == 'Mnist_CNN':
        return MnistCnn(), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), (1, 28, 28), 'scale', F.cross_entropy
    if name == 'LeNet-5':
        model = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
        return model, lambda p: torch.optim.Adam(p, lr=1e-3), (1, 28, 28), 'standardize', F.cross_entropy
    if name == 'Example-Net':
        # pytorch/examples mnist/main.py's Net, with its Adadelta at lr 1.0 (its StepLR is per epoch, outside the timing)
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
            nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10), nn.LogSoftmax(dim=1))
        return model, lambda p: torch.optim.Adadelta(p, lr=1.0), (1, 28, 28), 'standardize', F.nll_loss
    raise SystemExit(f'unknown preset {name!r}')


def epoch_seconds(name, images, labels, epochs, batch, device='cpu'):
    torch.manual_seed(0)
    model, make_optimizer, shape, normalize, loss_fn = preset(name)
    model = model.to(device)
    optimizer = make_optimizer(model.parameters())
    x = images.float().div_(255)
    if normalize == 'standardize':
        x = x.sub_(MEAN).div_(STD)
    # On a GPU the whole set lives on the device, as a PyTorch user with 47 MB of MNIST would keep it.
    x = x.reshape(-1, *shape).to(device)
    labels = labels.to(device)
    seconds = []
    for _ in range(epochs):
        started = time.perf_counter()
        order = torch.randperm(len(x))
        for i in range(0, len(x), batch):
            index = order[i:i + batch]
            index = index.to(device)
            loss = loss_fn(model(x[index]), labels[index])
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
        if device != 'cpu':
            torch.cuda.synchronize()
        seconds.append(time.perf_counter() - started)
    return seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--data', default='../shared/data/mnist')
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--presets', default='Mnist_Logistic,MLP,Mnist_CNN,LeNet-5')
    parser.add_argument('--threads', default=f'1,{os.cpu_count()}', help='intra-op thread settings to try')
    parser.add_argument('--device', default='cpu', help="'cuda' times PyTorch on the GPU (the GPU server's comparison)")
    args = parser.parse_args()
    # Adam's moments reach subnormal floats on MNIST, which x86 computes in microcode; LayerLab flushes them too.
    torch.set_flush_denormal(True)
    images = read_idx(f'{args.data}/train-images-idx3-ubyte.gz')
    labels = read_idx(f'{args.data}/train-labels-idx1-ubyte.gz').long()
    result = {'torch': torch.__version__, 'device': args.device, 'presets': {}}
    for name in args.presets.split(','):
        for threads in sorted({int(t) for t in args.threads.split(',')}):
            torch.set_num_threads(threads)
            seconds = epoch_seconds(name, images, labels, args.epochs, args.batch, args.device)
            best = result['presets'].get(name)
            if best is None or statistics.median(seconds[1:]) < statistics.median(best['seconds'][1:]):
                result['presets'][name] = {'threads': threads, 'seconds': seconds}
    print(json.dumps(result))


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""PyTorch's side of `npm run bench -- --torch`: the presets trained on real MNIST in PyTorch on this machine, tuned
as a PyTorch user would tune them, so that LayerLab's epoch seconds can be set against PyTorch's on the same CPU.

Same models, optimizers and batch size as the presets (common/model-spec/presets.ts), a full 60k-sample epoch per epoch,
shuffled, with the plain loop of "What is torch.nn really?" (index, forward, loss, backward, step, zero_grad).

What makes the comparison fair (issue 19):
- OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the environment before OpenBLAS loads (the script
  re-executes itself without them): the development VMs set OPENBLAS_CORETYPE=Haswell, which picks AVX2 kernels on
  an AVX-512 CPU. The report names the kernel OpenBLAS chose (openblas_get_corename, openblas_get_config) and the
  variables that matter.
- MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_ are set (unless set already) so that glibc keeps freed memory
  instead of returning it to the kernel each step (MALLOC, below). `--keep-env` runs with the environment as it
  is: the two OPENBLAS_ variables kept, malloc at its defaults (to see what they cost).
- Debian's torch does not pass set_num_threads on to OpenBLAS, whose own pthreads then spin against torch's
  OpenMP threads. So each preset searches torch threads (--threads) x OpenBLAS threads (--blas-threads, set through
  ctypes: openblas_set_num_threads in libopenblas.so.0), both 1..cores by default, and keeps the best: every
  configuration is timed over real training steps (at least --search-seconds each), round-robin for --rounds
  rounds so that a noisy neighbour hits them all, and scored by its best round's median step.

Two ways to run it:
- One shot (the GPU bundle's run.sh, or by hand): prints one JSON document,
  {"torch", "device", "cores", "torchDefaultThreads", "blas", "capability", "env", "unset", "set",
   "presets": {name: {"threads": torch threads, "blasThreads": n, "search": [...], "seconds": [epoch seconds...],
   "cpuSeconds": [...]}}}.

      /usr/bin/python3 scripts/torch_bench.py --data ../shared/data/mnist --epochs 3 --presets MLP,LeNet-5

- `--serve` (engine/node/bench-cli.ts, which interleaves PyTorch's epochs with LayerLab's): one JSON object per line.
  It first prints {"ready": true, "torch", "device", "cores", "torchDefaultThreads", "blas", "capability", "env",
  "unset", "set"}, then answers each line on stdin: {"tune": preset} -> {"preset", "config": {"torchThreads",
  "blasThreads"}, "search": [...]} (and makes a fresh model for the preset under that configuration);
  {"epoch": preset} -> {"preset", "seconds", "cpuSeconds"} (one full epoch of that model: wall and process CPU
  seconds). A failure answers {"error": message}. It exits at the end of its input.

Needs PyTorch (Debian: apt-get install python3-torch) with a fast BLAS: Debian's build uses the system libblas,
the reference one unless OpenBLAS is installed (apt-get install libopenblas0-pthread: matmul 3.7 -> 108 GFLOP/s
here). The bench says when PyTorch is missing. Never run by CI.
"""
import argparse
import ctypes
import gzip
import json
import os
import statistics
import sys
import time

MEAN, STD = 0.1307, 0.3081

# Removed before OpenBLAS loads (they force a core type and cache size it would otherwise detect).
FORCED = ('OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE')
# glibc's malloc, left to its defaults, hands the blocks of a conv's backward (oneDNN's scratch, im2col buffers)
# back to the kernel every step and faults them in again: on a loaded VM, Mnist_CNN measured 566-776 page faults and
# 3-6 ms of system time a step, 10x its quiet step. Keeping them, as a PyTorch user would with jemalloc or these
# two settings (and as LayerLab's wasm memory, which never shrinks, does), removes that. Set unless already set.
MALLOC = {'MALLOC_MMAP_THRESHOLD_': str(32 << 20), 'MALLOC_TRIM_THRESHOLD_': str(1 << 30)}
# Carries what was changed across the re-execution, for the report.
NOTE = 'LAYERLAB_TORCH_BENCH_ENV'
# The variables that change how fast PyTorch runs on a CPU, printed with the figures.
ENV_PREFIXES = ('OPENBLAS_', 'GOTO', 'OMP_', 'GOMP_', 'KMP_', 'MKL_', 'DNNL_', 'ONEDNN_', 'MKLDNN_', 'ATEN_', 'TORCH_',
                'MALLOC_')
ENV_NAMES = ('LD_PRELOAD', 'GLIBC_TUNABLES')


def prepare_environment(keep):
    """Re-executes this script without FORCED and with MALLOC where it was started otherwise; returns
    (what was removed, what was set). Both must be in place before torch (OpenBLAS, glibc) starts."""
    if NOTE in os.environ:
        note = json.loads(os.environ.pop(NOTE))
        return note['unset'], note['set']
    if keep:
        return {}, {}
    removed = {k: os.environ[k] for k in FORCED if k in os.environ}
    added = {k: v for k, v in MALLOC.items() if k not in os.environ}
    if removed or added:
        env = {k: v for k, v in os.environ.items() if k not in FORCED}
        env.update(added)
        env[NOTE] = json.dumps({'unset': removed, 'set': added})
        sys.stdout.flush()
        os.execve(sys.executable, [sys.executable, *sys.argv], env)
    return {}, {}


def environment():
    return {k: v for k, v in sorted(os.environ.items()) if k.startswith(ENV_PREFIXES) or k in ENV_NAMES}


def thread_choices(spec, cores):
    """'1..cores' (every count up to 8 cores, then powers of two and the core count) or a list like '1,2'."""
    if spec == '1..cores':
        if cores <= 8:
            return list(range(1, cores + 1))
        return sorted({1 << i for i in range(cores.bit_length()) if 1 << i <= cores} | {cores})
    return sorted({int(t) for t in spec.split(',')})


def mapped_libraries():
    try:
        with open('/proc/self/maps') as f:
            return {line.split()[-1] for line in f if '.so' in line and '/' in line}
    except OSError:
        return set()


class Blas:
    """The BLAS torch loaded; when it is OpenBLAS, its thread count and the kernel it picked, through ctypes."""

    def __init__(self):
        before = mapped_libraries()
        self.libraries = sorted(p for p in before if any(n in os.path.basename(p) for n in ('blas', 'lapack', 'mkl')))
        self.lib = None
        try:
            lib = ctypes.CDLL('libopenblas.so.0')
            # Only the OpenBLAS torch already uses: one that had to be loaded now would be a second copy.
            if any('openblas' in os.path.basename(p) for p in mapped_libraries() - before):
                self.note = 'libopenblas.so.0 is not the BLAS torch loaded'
            else:
                self.lib = lib
                lib.openblas_get_corename.restype = ctypes.c_char_p
                lib.openblas_get_config.restype = ctypes.c_char_p
                self.note = None
        except OSError as error:
            self.note = f'no OpenBLAS ({error})'
        self.default_threads = self.threads()

    def threads(self):
        return self.lib.openblas_get_num_threads() if self.lib else None

    def set_threads(self, n):
        if self.lib and n is not None:
            self.lib.openblas_set_num_threads(n)

    def describe(self):
        lib = self.lib
        return {
            'libraries': self.libraries,
            'corename': lib.openblas_get_corename().decode() if lib else None,
            'config': lib.openblas_get_config().decode() if lib else None,
            'defaultThreads': self.default_threads,
            'note': self.note,
        }


def read_idx(path):
    import torch
    with gzip.open(path, 'rb') as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def preset(name):
    """(model, optimizer factory, input shape, normalisation, loss) for a preset."""
    import torch
    from torch import nn
    import torch.nn.functional as F

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
    raise ValueError(f'unknown preset {name!r}')


class Trainer:
    """One preset's model and optimizer on the data, trained with the tutorial's loop."""

    def __init__(self, name, images, labels, batch, device):
        import torch
        self.torch = torch
        torch.manual_seed(0)
        model, make_optimizer, shape, normalize, self.loss_fn = preset(name)
        self.model = model.to(device)
        self.optimizer = make_optimizer(self.model.parameters())
        x = images.float().div_(255)
        if normalize == 'standardize':
            x = x.sub_(MEAN).div_(STD)
        # On a GPU the whole set lives on the device, as a PyTorch user with 47 MB of MNIST would keep it.
        self.x = x.reshape(-1, *shape).to(device)
        self.labels = labels.to(device)
        self.batch, self.device = batch, device

    def step(self, index):
        index = index.to(self.device)
        loss = self.loss_fn(self.model(self.x[index]), self.labels[index])
        loss.backward()
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)

    def sync(self):
        if self.device != 'cpu':
            self.torch.cuda.synchronize()

    def epoch(self):
        """Wall and process CPU seconds (all threads) for one full shuffled epoch."""
        cpu = time.process_time()
        started = time.perf_counter()
        order = self.torch.randperm(len(self.x))
        for i in range(0, len(self.x), self.batch):
            self.step(order[i:i + self.batch])
        self.sync()
        return time.perf_counter() - started, time.process_time() - cpu

    def steps_ms(self, min_seconds, min_steps=20):
        """Milliseconds per step over at least min_seconds and min_steps of shuffled batches."""
        order = self.torch.randperm(len(self.x))
        batches = (len(self.x) + self.batch - 1) // self.batch
        times = []
        started = time.perf_counter()
        while len(times) < min_steps or time.perf_counter() - started < min_seconds:
            i = len(times) % batches * self.batch
            t0 = time.perf_counter()
            self.step(order[i:i + self.batch])
            self.sync()
            times.append((time.perf_counter() - t0) * 1000)
        return times


def apply(config, blas):
    import torch
    torch.set_num_threads(config['torchThreads'])
    blas.set_threads(config['blasThreads'])


def search(name, data, args, blas, configs):
    """Times every configuration on real steps, round-robin; returns (best config, table)."""
    trainer = Trainer(name, *data, args.batch, args.device)
    apply(configs[-1], blas)
    trainer.steps_ms(min_seconds=0.2)  # warm-up: allocator, oneDNN primitives, Adam's state
    rounds = {i: [] for i in range(len(configs))}
    for r in range(args.rounds):
        # Each round starts at a different configuration, so none is always first after another's threads.
        for k in range(len(configs)):
            i = (k + r) % len(configs)
            apply(configs[i], blas)
            trainer.steps_ms(min_seconds=0, min_steps=3)  # the new thread counts' own warm-up
            rounds[i].append(statistics.median(trainer.steps_ms(args.search_seconds)))
    table = [{**configs[i], 'msPerStep': min(ms), 'rounds': ms} for i, ms in rounds.items()]
    best = min(range(len(configs)), key=lambda i: table[i]['msPerStep'])
    return configs[best], table


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--data', default='../shared/data/mnist')
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--presets', default='Mnist_Logistic,MLP,Mnist_CNN,LeNet-5')
    parser.add_argument('--threads', default='1..cores', help="torch thread counts to try: '1..cores' or a list like 1,2")
    parser.add_argument('--blas-threads', default=None,
                        help="OpenBLAS thread counts to try (default on a CPU '1..cores'; on a GPU OpenBLAS's own)")
    parser.add_argument('--rounds', type=int, default=3, help='rounds of the search (each times every configuration)')
    parser.add_argument('--search-seconds', type=float, default=0.3, help='least seconds of steps per configuration and round')
    parser.add_argument('--keep-env', action='store_true',
                        help="keep OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, and glibc malloc's defaults")
    parser.add_argument('--serve', action='store_true', help='answer JSON lines on stdin (the bench interleaves epochs)')
    parser.add_argument('--device', default='cpu', help="'cuda' times PyTorch on the GPU (the GPU server's comparison)")
    args = parser.parse_args()
    unset, added = prepare_environment(args.keep_env)

    import torch
    cores = os.cpu_count() or 1
    blas = Blas()
    torch_threads = thread_choices(args.threads, cores)
    blas_spec = args.blas_threads or ('1..cores' if args.device == 'cpu' else None)
    blas_threads = thread_choices(blas_spec, cores) if blas_spec and blas.lib else [None]
    configs = [{'torchThreads': t, 'blasThreads': b} for t in torch_threads for b in blas_threads]
    # Adam's moments reach subnormal floats on MNIST, which x86 computes in microcode; LayerLab flushes them too.
    torch.set_flush_denormal(True)
    capability = next((line.split(':', 1)[1].strip() for line in torch.__config__.show().splitlines()
                       if 'CPU capability usage' in line), None)
    header = {
        'torch': torch.__version__, 'device': args.device, 'cores': cores, 'torchDefaultThreads': torch.get_num_threads(),
        'blas': blas.describe(),
        'capability': capability, 'env': environment(), 'unset': unset, 'set': added,
    }
    try:
        images = read_idx(f'{args.data}/train-images-idx3-ubyte.gz')
        labels = read_idx(f'{args.data}/train-labels-idx1-ubyte.gz').long()
    except OSError as error:
        raise SystemExit(f'cannot read MNIST from --data {args.data}: {error}')
    data = (images, labels)

    if args.serve:
        def reply(obj):
            sys.stdout.write(json.dumps(obj) + '\n')
            sys.stdout.flush()

        reply({'ready': True, **header})
        trainers = {}
        for line in iter(sys.stdin.readline, ''):
            if not line.strip():
                continue
            try:
                request = json.loads(line)
                if 'tune' in request:
                    name = request['tune']
                    config, table = search(name, data, args, blas, configs)
                    apply(config, blas)
                    trainers[name] = Trainer(name, *data, args.batch, args.device)
                    reply({'preset': name, 'config': config, 'search': table})
                elif 'epoch' in request:
                    name = request['epoch']
                    if name not in trainers:
                        raise ValueError(f'epoch {name!r} before tune')
                    seconds, cpu_seconds = trainers[name].epoch()
                    reply({'preset': name, 'seconds': seconds, 'cpuSeconds': cpu_seconds})
                else:
                    raise ValueError(f'unknown request {line.strip()!r}')
            except Exception as error:  # the bench shows it; the process stays up for the next request
                reply({'error': f'{type(error).__name__}: {error}'})
        return

    result = {**header, 'presets': {}}
    for name in args.presets.split(','):
        config, table = search(name, data, args, blas, configs)
        apply(config, blas)
        trainer = Trainer(name, *data, args.batch, args.device)
        epochs = [trainer.epoch() for _ in range(args.epochs)]
        result['presets'][name] = {
            'threads': config['torchThreads'], 'blasThreads': config['blasThreads'], 'search': table,
            'seconds': [wall for wall, _ in epochs], 'cpuSeconds': [cpu for _, cpu in epochs],
        }
    print(json.dumps(result))


if __name__ == '__main__':
    main()

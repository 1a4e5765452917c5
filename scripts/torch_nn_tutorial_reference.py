"""
The torch.nn tutorial's printed values under real PyTorch, which the Learn tab shows beside the engine's:
"What is torch.nn really?" cell by cell on the same data the lesson uses (MNIST's training IDX file, the first
50,000 images to train and the last 10,000 to validate, pixels / 255), with torch.manual_seed(0) where the tutorial
makes weights (the tutorial itself sets no seed). The numbers differ from the engine's in their digits because the
two random generators differ; the script is how a reader checks that they agree in size.

    /usr/bin/python3 scripts/torch_nn_tutorial_reference.py ../shared/data/mnist > src-renderer/src/features/learn/pytorch-reference.json
"""
import gzip, json, math, sys
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

data_dir = sys.argv[1] if len(sys.argv) > 1 else '../shared/data/mnist'
def idx(name):
    raw = gzip.open(f'{data_dir}/{name}.gz').read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], 'big') for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)

images = idx('train-images-idx3-ubyte').reshape(-1, 784).astype(np.float32) / 255
labels = idx('train-labels-idx1-ubyte').astype(np.int64)
x_train, y_train, x_valid, y_valid = map(torch.tensor, (images[:50000], labels[:50000], images[50000:], labels[50000:]))
n, c = x_train.shape
out = {'torch': torch.__version__, 'seed': 0}

torch.manual_seed(0)
weights = torch.randn(784, 10) / math.sqrt(784)
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)
def log_softmax(x): return x - x.exp().sum(-1).log().unsqueeze(-1)
def model(xb): return log_softmax(xb @ weights + bias)
bs = 64
xb = x_train[0:bs]; yb = y_train[0:bs]
preds = model(xb)
def nll(input, target): return -input[range(target.shape[0]), target].mean()
loss_func = nll
def accuracy(out, yb): return (torch.argmax(out, dim=1) == yb).float().mean()
out['from-scratch'] = {'loss-before': loss_func(preds, yb).item(), 'accuracy-before': accuracy(preds, yb).item()}

lr = 0.5; epochs = 2
for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        xb = x_train[i * bs: i * bs + bs]; yb = y_train[i * bs: i * bs + bs]
        loss = loss_func(model(xb), yb)
        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr; bias -= bias.grad * lr
            weights.grad.zero_(); bias.grad.zero_()
out['training-loop'] = {'loss-after': loss_func(model(xb), yb).item(), 'accuracy-after': accuracy(model(xb), yb).item()}
loss_func = F.cross_entropy
def model(xb): return xb @ weights + bias
out['cross-entropy'] = {'loss-after': loss_func(model(xb), yb).item(), 'accuracy-after': accuracy(model(xb), yb).item()}

class Mnist_LogisticP(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.randn(784, 10) / math.sqrt(784)); self.bias = nn.Parameter(torch.zeros(10))
    def forward(self, xb): return xb @ self.weights + self.bias
class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__(); self.lin = nn.Linear(784, 10)
    def forward(self, xb): return self.lin(xb)
def fit():
    global xb, yb
    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            xb = x_train[i * bs: i * bs + bs]; yb = y_train[i * bs: i * bs + bs]
            loss = loss_func(model(xb), yb); loss.backward()
            with torch.no_grad():
                for p in model.parameters(): p -= p.grad * lr
                model.zero_grad()
step = {}
for name, cls in [('parameter', Mnist_LogisticP), ('linear', Mnist_Logistic)]:
    torch.manual_seed(0); model = cls()
    step[f'{name}-loss-before'] = loss_func(model(xb), yb).item(); fit(); step[f'{name}-loss-after'] = loss_func(model(xb), yb).item()
out['nn-module'] = step

torch.manual_seed(0); model = Mnist_Logistic(); opt = optim.SGD(model.parameters(), lr=lr)
before = loss_func(model(xb), yb).item()
for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        xb = x_train[i * bs: i * bs + bs]; yb = y_train[i * bs: i * bs + bs]
        loss = loss_func(model(xb), yb); loss.backward(); opt.step(); opt.zero_grad()
out['optim'] = {'loss-before': before, 'loss-after': loss_func(model(xb), yb).item()}

def fit_loaders(model, opt, name, result):
    g = torch.Generator(); g.manual_seed(0)
    train_dl = DataLoader(TensorDataset(x_train, y_train), batch_size=bs, shuffle=True, generator=g)
    valid_dl = DataLoader(TensorDataset(x_valid, y_valid), batch_size=bs * 2)
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss = loss_func(model(xb), yb); loss.backward(); opt.step(); opt.zero_grad()
        model.eval()
        with torch.no_grad():
            valid_loss = sum(loss_func(model(xb), yb) for xb, yb in valid_dl)
            correct = sum((torch.argmax(model(xb), 1) == yb).sum().item() for xb, yb in valid_dl)
        result[f'{name}-valid-{epoch}'] = (valid_loss / len(valid_dl)).item()
        result[f'{name}-valid-accuracy-{epoch}'] = correct / len(x_valid)
        print(name, epoch, result[f'{name}-valid-{epoch}'], file=sys.stderr)

torch.manual_seed(0); model = Mnist_Logistic(); opt = optim.SGD(model.parameters(), lr=lr)
out['data-loader'] = {}; fit_loaders(model, opt, 'logistic', out['data-loader'])

class Mnist_CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1)
    def forward(self, xb):
        xb = xb.view(-1, 1, 28, 28)
        xb = F.relu(self.conv1(xb)); xb = F.relu(self.conv2(xb)); xb = F.relu(self.conv3(xb))
        xb = F.avg_pool2d(xb, 4)
        return xb.view(-1, xb.size(1))
class Lambda(nn.Module):
    def __init__(self, func): super().__init__(); self.func = func
    def forward(self, x): return self.func(x)
out['cnn'] = {}
torch.manual_seed(0); model = Mnist_CNN(); opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
fit_loaders(model, opt, 'cnn', out['cnn'])
torch.manual_seed(0)
model = nn.Sequential(Lambda(lambda x: x.view(-1, 1, 28, 28)),
    nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1), nn.ReLU(),
    nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1), nn.ReLU(),
    nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1), nn.ReLU(),
    nn.AvgPool2d(4), Lambda(lambda x: x.view(x.size(0), -1)))
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
fit_loaders(model, opt, 'sequential', out['cnn'])
print(json.dumps(out, indent=1))

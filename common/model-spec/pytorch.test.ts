import { describe, expect, it } from 'vitest';
import { LOSS_CATALOGUE } from './catalogue';
import { getPreset, PRESETS } from './presets';
import { LOSSES } from './types';
import { pyValue, toPyTorch } from './pytorch';

describe('toPyTorch', () => {
  it('exports a chain as nn.Sequential with torch argument names', () => {
    const script = toPyTorch(PRESETS.Mnist_CNN);
    expect(script).toContain([
      'model = nn.Sequential(',
      '    nn.Conv2d(1, 16, 3, stride=2, padding=1),  # conv1',
      '    nn.ReLU(),  # relu1',
      '    nn.Conv2d(16, 16, 3, stride=2, padding=1),  # conv2',
      '    nn.ReLU(),  # relu2',
      '    nn.Conv2d(16, 10, 3, stride=2, padding=1),  # conv3',
      '    nn.ReLU(),  # relu3',
      '    nn.AvgPool2d(4),  # pool1',
      '    nn.Flatten(),  # flatten1',
      ')',
    ].join('\n'));
    expect(script).toContain('opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)');
    expect(script).toContain('loss_func = nn.CrossEntropyLoss()');
    expect(script).toContain('INPUT_SHAPE = (1, 28, 28)');
    expect(script).toContain('    x = x / 255  # pixels to [0, 1]');
  });

  it('has the DataLoader and the tutorial training loop', () => {
    const script = toPyTorch(PRESETS['LeNet-5'], { epochs: 3 });
    expect(script).toContain('train_dl = DataLoader(train_ds, batch_size=BATCH_SIZE, sampler=train_order)');
    expect(script).toContain('        train_order.set_epoch(epoch + 1)\n        model.train()');
    expect(script).toContain('parser.add_argument("--epochs", type=int, default=3)');
    expect(script).toMatch(/pred = model\(xb\)\n {4}loss = loss_func\(pred, target\(xb, yb\)\)\n {4}if opt is not None:\n {8}loss.backward\(\)\n {8}opt.step\(\)\n {8}opt.zero_grad\(\)/);
    expect(script).toContain('    x = (x / 255 - 0.1307) / 0.3081  # MNIST mean and std');
  });

  it("takes the run's seed, validation_size and shuffle as defaults of flags that say what they draw", () => {
    const spec = getPreset('LeNet-5')!;
    spec.data = { ...spec.data, validationSize: 1234, shuffle: false };
    const script = toPyTorch(spec, { seed: 77 });
    expect(script).toContain('parser.add_argument("--seed", type=int, default=77, help="the run\'s seed: the validation split, each epoch\'s order, torch.manual_seed")');
    expect(script).toContain('parser.add_argument("--val-size", type=int, default=1234,');
    expect(script).toContain('parser.add_argument("--shuffle", action=argparse.BooleanOptionalAction, default=False,');
    expect(script).toContain('torch.manual_seed(args.seed)');
    expect(script).toContain('train_idx, valid_idx = stratified_split(y_train.tolist(), args.val_size, args.seed)');
    // A size the training file cannot spare is refused, not quietly shrunk (it once became len(x_train) // 5).
    expect(script).toContain('if not 0 <= args.val_size < len(x_train):\n    parser.error(');
    expect(script).not.toContain('randperm');
  });

  it('writes early stopping and gradient clipping when the run has them, and nothing of them otherwise', () => {
    const plain = toPyTorch(PRESETS.MLP);
    for (const absent of ['PATIENCE', 'MIN_DELTA', 'MAX_NORM', 'clip_grad_norm_', 'import copy']) expect(plain).not.toContain(absent);
    const script = toPyTorch(PRESETS.MLP, { earlyStopping: { patience: 4, minDelta: 0.001 }, clipGradNorm: 1 });
    expect(script).toContain('PATIENCE = 4\nMIN_DELTA = 0.001\nMAX_NORM = 1.0  # clip_grad_norm_ after every backward pass');
    expect(script).toContain('        loss.backward()\n        nn.utils.clip_grad_norm_(model.parameters(), max_norm=MAX_NORM)\n        opt.step()');
    expect(script).toContain([
      '            if best_loss is None or val_loss < best_loss - MIN_DELTA:',
      '                best_loss, best_epoch, best_state = val_loss, epoch + 1, copy.deepcopy(model.state_dict())',
      '            elif epoch + 1 - best_epoch >= PATIENCE:',
    ].join('\n'));
    expect(script).toContain('                model.load_state_dict(best_state)\n                return');
    expect(() => toPyTorch(PRESETS.MLP, { clipGradNorm: 0 })).toThrow('max_norm must be a positive number, got 0');
    expect(() => toPyTorch(PRESETS.MLP, { earlyStopping: { patience: 0, minDelta: 0 } })).toThrow('integer patience ≥ 1');
  });

  it('can start from LayerLab weights saved as safetensors (no safetensors package needed)', () => {
    const script = toPyTorch(PRESETS.MLP);
    expect(script).toContain('def load_safetensors(path):');
    expect(script).toContain('if args.init:\n    model.load_state_dict(load_safetensors(args.init))');
  });

  it('exports a graph as an nn.Module subclass with node ids as attributes', () => {
    const script = toPyTorch(PRESETS['Residual-MLP']);
    expect(script).toContain('class Net(nn.Module):');
    expect(script).toContain('        self.fc1 = nn.Linear(784, 128)');
    expect(script).toContain('        add1 = relu1 + relu2\n        fc3 = self.fc3(add1)\n        return fc3');
    expect(script).not.toContain('nn.Sequential');
    const concat = getPreset('Residual-MLP')!;
    concat.nodes.find((n) => n.id === 'add1')!.op = 'Concat';
    expect(toPyTorch(concat)).toContain('add1 = torch.cat([relu1, relu2], dim=1)');
  });

  it('wraps recurrent layers to keep the last time step', () => {
    const script = toPyTorch(PRESETS['Row-LSTM']);
    expect(script).toContain('class LSTMLastStep(nn.LSTM):');
    expect(script).toContain('        return output[:, -1]');
    expect(script).toContain('    LSTMLastStep(28, 128, batch_first=True),  # lstm1');
  });

  it('one-hot targets for regression-style losses, schedulers as keywords', () => {
    const spec = getPreset('MLP')!;
    spec.loss = { type: 'SmoothL1Loss', params: { beta: 0.5 } };
    spec.scheduler = { type: 'StepLR', params: { stepSize: 2 } };
    spec.optimizer = { type: 'AdamW', params: { betas: [0.8, 0.99] } };
    const script = toPyTorch(spec);
    expect(script).toContain('loss_func = nn.SmoothL1Loss(beta=0.5)');
    expect(script).toContain('return F.one_hot(yb, 10).float()');
    expect(script).toContain('scheduler = optim.lr_scheduler.StepLR(opt, step_size=2)');
    expect(script).toContain('opt = optim.AdamW(model.parameters(), lr=0.001, betas=(0.8, 0.99))');
  });

  it('saves, logs every batch, and runs unchanged under torchrun with DDP (twin-replay.test.ts runs it under PyTorch)', () => {
    const script = toPyTorch(PRESETS['LeNet-5']);
    expect(script).toContain('parser.add_argument("--save", metavar="FILE"');
    expect(script).toContain('parser.add_argument("--log-batches", action="store_true"');
    expect(script).toContain('DISTRIBUTED = "RANK" in os.environ and "WORLD_SIZE" in os.environ');
    expect(script).toContain('    dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")');
    expect(script).toContain('    train_order = DistributedSampler(train_ds, shuffle=args.shuffle, seed=args.seed)');
    expect(script).toContain('fit(args.epochs, train_model, loss_func, opt, train_dl, valid_dl)');
    // Rank 0 saves the module itself, not the wrapper: no "module." prefix on the keys.
    expect(script).toContain('    if args.save:\n        save_safetensors(model.state_dict(), args.save)');
    expect(script).toContain('"loss": loss}');
    // A summed loss is logged per sample, as the engine's onBatch reports it.
    const summed = getPreset('MLP')!;
    summed.loss = { type: 'CrossEntropyLoss', params: { reduction: 'sum' } };
    expect(toPyTorch(summed)).toContain('"loss": loss / n}');
  });

  it("always names Softmax's and LogSoftmax's dim, whose PyTorch default (None) is an implicit choice it warns about", () => {
    expect(toPyTorch(getPreset('Example-Net')!)).toContain('nn.LogSoftmax(dim=1)');
    expect(toPyTorch(getPreset('Example-Net')!)).not.toMatch(/nn\.LogSoftmax\(\)/);
  });

  it('reports the evaluation loss per sample, as the engine does, whether the loss is a mean or a sum over its batch', () => {
    const mean = toPyTorch(getPreset('MLP')!);
    expect(mean).toContain('return sum(r[0] * r[2] for r in results) / n');
    const spec = getPreset('MLP')!;
    spec.loss = { type: 'CrossEntropyLoss', params: { reduction: 'sum' } };
    const summed = toPyTorch(spec);
    expect(summed).toContain('loss_func = nn.CrossEntropyLoss(reduction=\'sum\')');
    expect(summed).toContain('return sum(r[0] for r in results) / n');
  });

  it('steps a per-batch scheduler after every batch, with total_steps from the run when none is given (#18)', () => {
    const spec = structuredClone(getPreset('MLP')!);
    spec.scheduler = { type: 'OneCycleLR', params: { maxLr: 0.01 } };
    const script = toPyTorch(spec);
    expect(script).toContain('scheduler = optim.lr_scheduler.OneCycleLR(opt, max_lr=0.01, total_steps=max(1, args.epochs * len(train_dl)))');
    expect(script).toContain('            loss, _, n = loss_batch(model, loss_func, xb, yb, opt)\n            scheduler.step()');
    expect(script).not.toContain('        if scheduler is not None:\n            scheduler.step()');
    spec.scheduler = { type: 'OneCycleLR', params: { maxLr: 0.01, epochs: 4, stepsPerEpoch: 100 } };
    expect(toPyTorch(spec)).toContain('scheduler = optim.lr_scheduler.OneCycleLR(opt, max_lr=0.01, epochs=4, steps_per_epoch=100)');
    spec.scheduler = { type: 'PolynomialLR', params: { power: 2 } };
    expect(toPyTorch(spec)).toContain('        if scheduler is not None:\n            scheduler.step()');
  });

  it('writes Python literals', () => {
    expect([pyValue(true), pyValue(null), pyValue("it's"), pyValue([3]), pyValue(1e-8)]).toEqual(['True', 'None', "'it\\'s'", '(3,)', '1e-8']);
  });
  it("trains an image target (the Autoencoder) against its own input, with no accuracy", () => {
    const script = toPyTorch(PRESETS.Autoencoder);
    expect(script).toContain('    nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1),  # deconv1\n    nn.ReLU(),  # relu3\n    nn.Upsample(scale_factor=2),  # up1');
    expect(script).toContain('def target(xb, yb):');
    expect(script).toContain('    return (xb).view(-1, 1, 28, 28)');
    expect(script).toContain('    loss = loss_func(pred, target(xb, yb))');
    expect(script).toContain('    return loss.item(), 0, len(xb)  # an image target has no accuracy');
    expect(script).not.toContain('val_acc {val_acc');
    const standardized = toPyTorch({ ...PRESETS.Autoencoder, data: { ...PRESETS.Autoencoder.data, normalize: 'standardize' } });
    expect(standardized).toContain('    return (xb * 0.3081 + 0.1307).view(-1, 1, 28, 28)');
    expect(toPyTorch(PRESETS.MLP)).toContain('def target(xb, yb):\n    return yb  # class indices');
  });

  it('refuses an option the catalogue does not list rather than leave it out of the script', () => {
    const spec = getPreset('LeNet-5')!;
    spec.nodes.find((n) => n.id === 'pool1')!.params.returnIndices = true;
    spec.optimizer.params.maximize = true;
    expect(() => toPyTorch(spec)).toThrow(
      "toPyTorch: node \"pool1\" (MaxPool2d): unknown param 'returnIndices' (known: kernelSize, stride, padding); " +
      "optimizer Adam: unknown param 'maximize' (known: lr, betas, eps, weightDecay, amsgrad)",
    );
    // Other problems (a misfit, a value out of range) still export: the builder shows the twin while a graph is unfinished.
    spec.nodes.find((n) => n.id === 'pool1')!.params = { kernelSize: 2 };
    spec.optimizer.params = { lr: 0.001 };
    spec.nodes.find((n) => n.id === 'fc1')!.params.inFeatures = 3;
    expect(toPyTorch(spec)).toContain('nn.Linear(3, 120),  # fc1');
  });

  it('writes class weights as the tensor torch wants, and nothing when there are none', () => {
    const spec = { ...getPreset('MLP')!, loss: { type: 'MultiMarginLoss' as const, params: { weight: [1, 2, 1, 1, 1, 1, 1, 1, 1, 0.5] } } };
    expect(toPyTorch(spec)).toContain('loss_func = nn.MultiMarginLoss(weight=torch.tensor([1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5]))');
    expect(toPyTorch({ ...spec, loss: { type: 'NLLLoss', params: { weight: null } } })).toContain('loss_func = nn.NLLLoss()');
  });
});

describe('the twin compares each loss with the targets its catalogue row names (#18)', () => {
  it.each(LOSSES.map((type) => [type, LOSS_CATALOGUE[type].targets] as const))('%s: %s', (type, targets) => {
    const script = toPyTorch({ ...getPreset('MLP')!, loss: { type, params: {} } });
    expect(script).toContain(`loss_func = ${LOSS_CATALOGUE[type].torch}(`);
    expect(script.includes('return F.one_hot(yb, 10).float()')).toBe(targets === 'one-hot');
    expect(script.includes('return yb  # class indices')).toBe(targets === 'indices');
  });
});

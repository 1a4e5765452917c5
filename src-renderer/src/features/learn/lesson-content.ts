/**
 * The lesson's prose, in English and Korean, beside the feature that shows it: each step's title, what it does,
 * and what its printed numbers mean (keyed by the engine's print ids, common/lesson-protocol.ts). The type makes
 * both languages carry every step; the short UI labels are in lib/i18n with the rest of the app's.
 */
import type { LessonStepId } from '../../../../common/lesson-protocol';
import type { Locale } from '../../lib/i18n/translate';

export interface StepText {
  title: string;
  /** What the step changes, in two or three sentences. */
  what: string;
  /** Beside a printed value: what it means, or why it differs from the tutorial's page. */
  notes: Record<string, string>;
}

export interface LessonText {
  intro: string;
  /** Why the engine's digits differ from the tutorial page's. */
  seed: string;
  steps: Record<LessonStepId, StepText>;
}

const en: LessonText = {
  intro:
    'PyTorch\'s tutorial "What is torch.nn really?" trains a model on MNIST from raw tensors, then replaces each ' +
    'hand-written piece with its torch.nn counterpart. Each step here shows the tutorial\'s code, the model as ' +
    'LayerLab draws it, and runs the step in the engine on real MNIST.',
  seed:
    'The tutorial sets no seed, and the engine\'s random generator is not torch\'s: the lesson seeds with 0, so its ' +
    'numbers are the same on every run; they differ from the tutorial page\'s in the digits, not in size.',
  steps: {
    data: {
      title: 'The data',
      what:
        'MNIST\'s training file, split as the tutorial\'s mnist.pkl.gz is: the first 50,000 images to train on, the ' +
        'last 10,000 to validate. Each 28×28 image is one row of 784 pixels in [0, 1].',
      notes: {
        'x-train-shape': '50,000 images, each flattened to 784 = 28 × 28 numbers.',
        'y-train-range': 'The labels are the digits 0 to 9.',
        'x-valid-shape': 'The validation set: images the model never trains on.',
      },
    },
    'from-scratch': {
      title: 'From scratch',
      what:
        'Weights drawn from randn(784, 10) / √784 (Xavier initialisation) with requires_grad, so autograd records ' +
        'what is computed from them; a hand-written log_softmax, the negative log-likelihood and accuracy. Nothing ' +
        'is trained yet.',
      notes: {
        'loss-before':
          'About 2.3 = ln 10. The small random weights give every digit a probability near 1/10, and the loss is ' +
          '−log of the probability of the right digit: −log(1/10) = ln 10 ≈ 2.303. It is measured on one batch of 64 ' +
          'images, so it moves with the random weights by a tenth or two.',
        'ln-10': 'The loss of a model that guesses each of 10 classes with probability 1/10.',
        'accuracy-before':
          'About 10%: guessing among 10 digits is right one time in ten. On one batch of 64, anything from 3 to 10 ' +
          'right is chance (PyTorch\'s seed 0 happens to get 3).',
        'preds-shape': '64 images, 10 log-probabilities each.',
        'preds-0': 'The first image\'s log-probabilities: all near ln(1/10) ≈ −2.3.',
      },
    },
    'training-loop': {
      title: 'The training loop by hand',
      what:
        'For every mini-batch: forward, loss, loss.backward() to fill weights.grad, then the update under no_grad ' +
        '(the update itself must not be recorded) and zero_grad (gradients add up otherwise). Two epochs, lr 0.5.',
      notes: {
        'loss-after':
          'The loss on the last mini-batch (the loop leaves xb there: 16 images, as 50,000 = 781 × 64 + 16).',
        'accuracy-after': 'Every image of that last batch right.',
        'xb-shape': 'The last mini-batch: 50,000 − 781 × 64 = 16 images.',
      },
    },
    'cross-entropy': {
      title: 'F.cross_entropy',
      what:
        'F.cross_entropy is log_softmax and nll in one call, so the model returns raw scores (logits). On the ' +
        'weights step 3 trained, it gives the same loss and accuracy.',
      notes: {
        'loss-after': 'The same as step 3\'s loss, to the 4 digits PyTorch prints.',
        'loss-by-hand': 'Step 3\'s log_softmax + nll on the same weights and batch.',
        'difference':
          'At most the last bit of a float32: cross_entropy subtracts each row\'s largest score before exp (so a ' +
          'large score cannot overflow), the hand-written log_softmax does not; the rounding differs by a hair. ' +
          'PyTorch\'s two losses differ by the same hair (1.5e-8 with its seed 0).',
      },
    },
    'nn-module': {
      title: 'nn.Module, then nn.Linear',
      what:
        'The weights become nn.Parameters of a Module, so model.parameters() finds them and model.zero_grad() ' +
        'clears them all. Then nn.Linear owns and initialises the weight and bias itself. The same fit() trains both.',
      notes: {
        'parameter-loss-before': 'A fresh Mnist_Logistic: about ln 10 again.',
        'parameter-loss-after': 'After fit(): as low as step 3\'s, the same training written more briefly.',
        'linear-loss-before': 'nn.Linear initialises differently (uniform, ±1/√784), so this starts a little elsewhere.',
        'linear-loss-after': 'After fit().',
      },
    },
    optim: {
      title: 'optim.SGD',
      what: 'opt.step() does the update and opt.zero_grad() the zeroing: the hand-written loop of step 5 in two calls.',
      notes: {
        'loss-before': 'The same start as step 5\'s nn.Linear model (same seed).',
        'loss-after': 'The same as step 5\'s nn.Linear result: SGD is exactly p −= lr · p.grad.',
      },
    },
    'data-loader': {
      title: 'TensorDataset, DataLoader, validation',
      what:
        'TensorDataset pairs x and y, DataLoader batches and shuffles them (a new order every epoch), and after ' +
        'each epoch a validation pass runs in model.eval() without gradients, on images never trained on.',
      notes: {
        'logistic-valid-0': 'Epoch 0\'s validation loss: the mean of the batches\' losses, as valid_loss / len(valid_dl).',
        'logistic-valid-1':
          'Epoch 1\'s: close to epoch 0\'s. At lr 0.5 a logistic regression is nearly done after one epoch, so this ' +
          'can go a little up or down (it rises in PyTorch\'s run).',
        'logistic-valid-accuracy-0': 'Not printed by the tutorial: the share of validation images right.',
        'logistic-valid-accuracy-1': 'About 92% is as good as a logistic regression gets on MNIST.',
      },
    },
    cnn: {
      title: 'Mnist_CNN, then nn.Sequential',
      what:
        'Three stride-2 convolutions with ReLU and an average pool, trained with SGD and momentum 0.9 at lr 0.1. ' +
        'Then the same network as nn.Sequential, with the tutorial\'s Lambda layers for the reshapes.',
      notes: {
        'cnn-valid-0':
          'Mnist_CNN\'s validation loss after epoch 0. At lr 0.1 with momentum it depends on the random start more ' +
          'than the logistic regression did: under PyTorch, seeds 0 to 4 end this epoch between 0.29 and 0.54; the ' +
          'engine\'s seeds 0 to 4 between 0.33 and 0.41.',
        'cnn-valid-1': 'After epoch 1.',
        'sequential-valid-0':
          'nn.Sequential holds the same layers in the same order, so with the same seed it starts from the same ' +
          'weights and trains to the same numbers.',
        'sequential-valid-1': 'The same as Mnist_CNN\'s.',
      },
    },
  },
};

const ko: LessonText = {
  intro:
    'PyTorch 튜토리얼 "What is torch.nn really?"는 맨 텐서로 MNIST 모델을 학습시킨 뒤, 직접 쓴 부분을 하나씩 ' +
    'torch.nn의 도구로 바꿉니다. 여기서는 각 단계마다 튜토리얼의 코드, LayerLab이 그린 모델을 보여 주고, 그 단계를 ' +
    '엔진에서 실제 MNIST로 실행합니다.',
  seed:
    '튜토리얼은 시드를 정하지 않고, 엔진의 난수 생성기는 torch의 것과 다릅니다. 레슨은 시드 0을 써서 매번 같은 숫자가 ' +
    '나오며, 튜토리얼 페이지의 숫자와는 자릿수가 다를 뿐 크기는 같습니다.',
  steps: {
    data: {
      title: '데이터',
      what:
        'MNIST 학습 파일을 튜토리얼의 mnist.pkl.gz처럼 나눕니다: 앞의 50,000장은 학습용, 마지막 10,000장은 검증용. ' +
        '28×28 이미지 하나는 [0, 1] 범위의 픽셀 784개로 된 한 행입니다.',
      notes: {
        'x-train-shape': '이미지 50,000장, 각각 784 = 28 × 28개의 숫자로 펼쳐져 있습니다.',
        'y-train-range': '레이블은 숫자 0부터 9까지입니다.',
        'x-valid-shape': '검증 세트: 모델이 학습에 쓰지 않는 이미지입니다.',
      },
    },
    'from-scratch': {
      title: '처음부터 직접',
      what:
        'randn(784, 10) / √784(Xavier 초기화)로 뽑은 가중치에 requires_grad를 켜서, autograd가 그 가중치로 한 계산을 ' +
        '기록하게 합니다. log_softmax, 음의 로그 우도(nll), 정확도를 직접 씁니다. 아직 학습은 하지 않습니다.',
      notes: {
        'loss-before':
          '약 2.3 = ln 10. 작은 무작위 가중치는 모든 숫자에 1/10 가까운 확률을 주고, 손실은 정답 숫자 확률의 −log이므로 ' +
          '−log(1/10) = ln 10 ≈ 2.303입니다. 64장 배치 하나에서 잰 값이라 무작위 가중치에 따라 0.1~0.2 정도 움직입니다.',
        'ln-10': '10개 클래스를 각각 1/10 확률로 고르는 모델의 손실입니다.',
        'accuracy-before':
          '약 10%: 숫자 10개 중에서 찍으면 열 번에 한 번 맞습니다. 64장 배치 하나에서는 3~10장을 맞혀도 우연입니다' +
          '(PyTorch의 시드 0은 마침 3장).',
        'preds-shape': '이미지 64장, 각각 로그 확률 10개.',
        'preds-0': '첫 이미지의 로그 확률: 모두 ln(1/10) ≈ −2.3 근처입니다.',
      },
    },
    'training-loop': {
      title: '직접 쓴 학습 루프',
      what:
        '미니배치마다: 순전파, 손실, loss.backward()로 weights.grad를 채우고, no_grad 안에서 갱신(갱신 자체는 ' +
        '기록하면 안 됩니다)한 뒤 zero_grad(안 그러면 기울기가 누적됩니다). 2 에폭, lr 0.5.',
      notes: {
        'loss-after':
          '마지막 미니배치의 손실입니다(루프가 xb를 거기에 남깁니다: 50,000 = 781 × 64 + 16이므로 16장).',
        'accuracy-after': '그 마지막 배치의 이미지를 모두 맞혔습니다.',
        'xb-shape': '마지막 미니배치: 50,000 − 781 × 64 = 16장.',
      },
    },
    'cross-entropy': {
      title: 'F.cross_entropy',
      what:
        'F.cross_entropy는 log_softmax와 nll을 한 번에 하므로, 모델은 날 점수(로짓)를 돌려줍니다. 3단계에서 학습한 ' +
        '가중치로 같은 손실과 정확도가 나옵니다.',
      notes: {
        'loss-after': 'PyTorch가 출력하는 4자리까지 3단계의 손실과 같습니다.',
        'loss-by-hand': '같은 가중치와 배치에서 3단계의 log_softmax + nll.',
        'difference':
          '차이는 많아야 float32의 마지막 비트입니다: cross_entropy는 exp 전에 각 행의 최댓값을 빼고(큰 점수가 넘치지 ' +
          '않도록), 직접 쓴 log_softmax는 빼지 않아서 반올림이 아주 조금 다릅니다. PyTorch의 두 손실도 같은 만큼 ' +
          '다릅니다(시드 0에서 1.5e-8).',
      },
    },
    'nn-module': {
      title: 'nn.Module, 그다음 nn.Linear',
      what:
        '가중치가 Module의 nn.Parameter가 되어 model.parameters()가 찾아 주고 model.zero_grad()가 한 번에 비웁니다. ' +
        '그다음 nn.Linear가 가중치와 편향을 직접 갖고 초기화합니다. 같은 fit()으로 둘 다 학습합니다.',
      notes: {
        'parameter-loss-before': '새 Mnist_Logistic: 다시 약 ln 10.',
        'parameter-loss-after': 'fit() 뒤: 3단계만큼 낮습니다. 같은 학습을 더 짧게 썼을 뿐입니다.',
        'linear-loss-before': 'nn.Linear는 다르게(균등 분포, ±1/√784) 초기화하므로 조금 다른 곳에서 시작합니다.',
        'linear-loss-after': 'fit() 뒤.',
      },
    },
    optim: {
      title: 'optim.SGD',
      what: 'opt.step()이 갱신을, opt.zero_grad()가 초기화를 합니다: 5단계에서 직접 쓴 루프를 두 번의 호출로.',
      notes: {
        'loss-before': '5단계의 nn.Linear 모델과 같은 출발점(같은 시드).',
        'loss-after': '5단계 nn.Linear 결과와 같습니다: SGD는 정확히 p −= lr · p.grad입니다.',
      },
    },
    'data-loader': {
      title: 'TensorDataset, DataLoader, 검증',
      what:
        'TensorDataset이 x와 y를 묶고, DataLoader가 배치로 나누고 섞습니다(에폭마다 새 순서). 에폭이 끝날 때마다 ' +
        'model.eval()에서 기울기 없이, 학습하지 않은 이미지로 검증합니다.',
      notes: {
        'logistic-valid-0': '에폭 0의 검증 손실: valid_loss / len(valid_dl)처럼 배치 손실들의 평균입니다.',
        'logistic-valid-1':
          '에폭 1: 에폭 0과 비슷합니다. lr 0.5에서 로지스틱 회귀는 한 에폭이면 거의 끝나므로 조금 오르거나 내릴 수 ' +
          '있습니다(PyTorch 실행에서는 오릅니다).',
        'logistic-valid-accuracy-0': '튜토리얼에는 없는 값: 맞힌 검증 이미지의 비율.',
        'logistic-valid-accuracy-1': 'MNIST에서 로지스틱 회귀는 약 92%가 한계입니다.',
      },
    },
    cnn: {
      title: 'Mnist_CNN, 그다음 nn.Sequential',
      what:
        'ReLU가 붙은 stride 2 합성곱 세 개와 평균 풀링을, 모멘텀 0.9의 SGD로 lr 0.1에서 학습합니다. 그다음 같은 ' +
        '신경망을 nn.Sequential로, 모양 바꾸기는 튜토리얼의 Lambda 층으로 만듭니다.',
      notes: {
        'cnn-valid-0':
          '에폭 0 뒤 Mnist_CNN의 검증 손실. 모멘텀이 있는 lr 0.1에서는 로지스틱 회귀보다 무작위 시작점에 더 좌우됩니다: ' +
          'PyTorch에서 시드 0~4는 이 에폭을 0.29~0.54로, 엔진의 시드 0~4는 0.33~0.41로 끝냅니다.',
        'cnn-valid-1': '에폭 1 뒤.',
        'sequential-valid-0':
          'nn.Sequential은 같은 층을 같은 순서로 가지므로, 같은 시드에서 같은 가중치로 시작해 같은 숫자로 학습됩니다.',
        'sequential-valid-1': 'Mnist_CNN과 같습니다.',
      },
    },
  },
};

export const LESSON_TEXT: Record<Locale, LessonText> = { en, ko };

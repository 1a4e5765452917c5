/**
 * Kernel names: the one place where every backend kernel is named.
 *
 * Ops look kernels up by these constants (`getKernel(K.Add)`), and a backend's kernel table is keyed by them, so a
 * typo is a type error rather than a silent fallback. Convention: `X` is the forward kernel and `XGrad` (or
 * `XBackward` for multi-output kernels) its gradient kernel. Import as a namespace: `import * as K from './kernel-names'`.
 */

// Elementwise binary (broadcasting). Comparisons return 1/0 in a float array.
export const Add = 'Add';
export const Sub = 'Sub';
export const Mul = 'Mul';
export const Div = 'Div';
export const Pow = 'Pow';
export const Maximum = 'Maximum';
export const Minimum = 'Minimum';
export const Equal = 'Equal';
export const Greater = 'Greater';
export const GreaterEqual = 'GreaterEqual';
export const Less = 'Less';
export const LessEqual = 'LessEqual';
export const Where = 'Where';

// Elementwise unary, with their gradient kernels where the gradient is not a simple composite.
export const Neg = 'Neg';
export const Exp = 'Exp';
export const Log = 'Log';
export const Sqrt = 'Sqrt';
export const Abs = 'Abs';
export const Sign = 'Sign';
export const PowScalar = 'PowScalar';
export const Clamp = 'Clamp';
export const ClampGrad = 'ClampGrad';
export const Relu = 'Relu';
export const ReluGrad = 'ReluGrad';
export const LeakyRelu = 'LeakyRelu';
export const LeakyReluGrad = 'LeakyReluGrad';
export const Sigmoid = 'Sigmoid';
export const SigmoidGrad = 'SigmoidGrad';
export const Tanh = 'Tanh';
export const TanhGrad = 'TanhGrad';
export const Gelu = 'Gelu';
export const GeluGrad = 'GeluGrad';
export const GeluTanh = 'GeluTanh';
export const GeluTanhGrad = 'GeluTanhGrad';
export const Elu = 'Elu';
export const EluGrad = 'EluGrad';
export const Silu = 'Silu';
export const SiluGrad = 'SiluGrad';
export const Softplus = 'Softplus';
export const SoftplusGrad = 'SoftplusGrad';

// Reductions.
export const Sum = 'Sum';
export const MaxDim = 'MaxDim';
/** A batch's loss and correct count as one array (CPU kernel in backend/cpu/reduce.ts): one read for a step's metrics. */
export const StepMetrics = 'StepMetrics';

// Linear algebra.
export const Matmul = 'Matmul';

// Layout: these copy data into a new contiguous array (reshape/view need no kernel: they share storage).
export const Cast = 'Cast';
export const Permute = 'Permute';
export const BroadcastTo = 'BroadcastTo';
export const Slice = 'Slice';
export const SliceGrad = 'SliceGrad';
export const Concat = 'Concat';
export const Gather = 'Gather';
export const ScatterAdd = 'ScatterAdd';

// Softmax family (fused for numerical stability and speed; the composed form is the test oracle).
export const Softmax = 'Softmax';
export const LogSoftmax = 'LogSoftmax';

// Convolution, pooling, batch norm (CPU kernels in backend/cpu/{conv,pool,batchnorm}.ts, owned by the conv area).
export const Conv2d = 'Conv2d';
export const Conv2dBackward = 'Conv2dBackward';
export const MaxPool2d = 'MaxPool2d';
export const MaxPool2dBackward = 'MaxPool2dBackward';
export const AvgPool2d = 'AvgPool2d';
export const AvgPool2dBackward = 'AvgPool2dBackward';
export const AdaptiveAvgPool2d = 'AdaptiveAvgPool2d';
export const AdaptiveAvgPool2dBackward = 'AdaptiveAvgPool2dBackward';
export const BatchNorm = 'BatchNorm';
export const BatchNormBackward = 'BatchNormBackward';
export const BatchNormUpdateRunningStats = 'BatchNormUpdateRunningStats';

// Optimizer updates (in place: one parameter, its gradient and its state; CPU kernels in backend/cpu/optim.ts).
export const AdamStep = 'AdamStep';
export const SgdStep = 'SgdStep';
export const AdadeltaStep = 'AdadeltaStep';

// Fused softmax cross-entropy over class indices (CPU kernels in backend/cpu/loss.ts).
export const CrossEntropy = 'CrossEntropy';
export const CrossEntropyBackward = 'CrossEntropyBackward';
export const NllLoss = 'NllLoss';
export const NllLossBackward = 'NllLossBackward';
export const DropoutMask = 'DropoutMask';

// nn.Upsample's nearest and bilinear interpolation (CPU kernels in backend/cpu/upsample.ts).
export const Upsample2d = 'Upsample2d';
export const Upsample2dBackward = 'Upsample2dBackward';

// Data: a batch of uint8 images gathered into float32 through the normalisation (CPU kernel in backend/cpu/data.ts).
export const GatherBytes = 'GatherBytes';

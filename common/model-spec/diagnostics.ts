/**
 * Every message validateSpec, inferShapes and lintSpec can produce, as a stable code with an English template.
 * The English `message` the CLI and engine print is rendered from these templates; the renderer maps the same
 * code and params to its i18n catalog (`diag.<code>`: en.ts takes these templates as they are, ko.ts words them), so
 * the Korean UI says the same thing in Korean.
 *
 * A param is a string, a number, or a nested diagnostic for a phrase that itself needs translating:
 *   { code: 'bad-param', params: { where: { code: 'where-node', params: { id: 'fc1', op: 'Linear' } },
 *     param: 'in_features', problem: { code: 'param-required', params: {} }, got: 'nothing' } }
 *   → 'node "fc1" (Linear): in_features is required, got nothing'
 * Placeholders are `{name}` with \w names; a brace group with other characters (`{type, params}`) is literal.
 */
export const DIAGNOSTIC_TEXT = {
  // Phrases used inside other messages.
  'where-node': 'node "{id}" ({op})',
  'where-typed': '{key} {type}',
  'node-label': '{id} ({op})',
  'no-layer': 'no layer',
  'the-loss': 'the loss',
  'nothing': 'nothing',
  'range-min': '≥ {min}',
  'range-min-exclusive': '> {min}',
  'range-max': '≤ {max}',
  'range-both': '{lo} and {hi}',
  'layout-either': '{a} or {b}',
  // checkParam: why one value is unacceptable.
  'param-required': 'is required',
  'param-int': 'must be an integer',
  'param-int-range': 'must be an integer {range}',
  'param-float': 'must be a number',
  'param-float-range': 'must be a number {range}',
  'param-bool': 'must be true or false',
  'param-enum': 'must be one of {options}',
  'param-int2': 'must be an integer or a pair of integers',
  'param-int2-range': 'must be an integer or a pair of integers {range}',
  'param-float2': 'must be a pair of numbers',
  'param-float2-range': 'must be a pair of numbers {range}',
  'param-ints': 'must be a list of integers',
  'param-ints-range': 'must be a list of integers {range}',
  'param-shape': 'must be a list of 1 to 4 integers ≥ 1',
  // validateSpec.
  'spec-not-object': 'spec must be a JSON object',
  'bad-version': 'version must be {expected}, got {got}',
  'nodes-not-array': 'nodes must be an array',
  'edges-not-array': 'edges must be an array',
  'params-not-object': '{where}: params must be an object',
  'unknown-param': "{where}: unknown param '{param}' (known: {known})",
  'unknown-param-none': "{where}: unknown param '{param}' (known: none)",
  'bad-param': '{where}: {param} {problem}, got {got}',
  'groups-divide': '{where}: groups ({groups}) must divide in_channels and out_channels',
  'num-groups-divide': '{where}: num_groups ({groups}) must divide num_channels ({channels})',
  'input-not-784': '{where}: shape {shape} holds {size} values but an MNIST image has 784 (try [1, 28, 28], [784] or [28, 28])',
  'node-needs-id': '{path}: a node needs a non-empty string id',
  'duplicate-id': 'node "{id}": duplicate id',
  'python-name-clash': '{where}: ids "{other}" and "{id}" both become the Python name {py}',
  'unknown-op': "{where}: unknown op '{op}'",
  'no-input': 'the model has no Input node',
  'no-layers': 'the model has no layers after the Input',
  'extra-input': 'node "{id}" (Input): only one Input node is allowed',
  'edge-needs-ends': "{path}: an edge needs string 'from' and 'to'",
  'dangling-edge': 'edge {from} → {to}: dangling, no node "{missing}"',
  'self-loop': 'node "{id}": edge to itself makes a cycle',
  'bad-port': 'edge {from} → {to}: port must be an integer ≥ 0',
  'duplicate-edge': 'edge {from} → {to}: duplicate edge',
  'input-has-incoming': '{where}: the Input cannot have incoming edges',
  'merge-needs-inputs': '{where}: missing input, a merge needs at least 2 inputs, has {count}',
  'duplicate-port': '{where}: two inputs use the same port',
  'missing-input': '{where}: missing input, nothing is connected to it',
  'too-many-inputs': '{where}: has {count} inputs but takes one; join them with Add or Concat',
  'cycle': 'node "{id}": on a cycle ({cycle}); a model must flow one way',
  'dangling-output': "node \"{id}\" ({op}): its output goes nowhere; only the model's last node may be unconnected (outputs: {outputs})",
  'training-not-object': '{key} must be an object {type, params}',
  'unknown-type': "{key}: unknown type '{type}' (known: {known})",
  'data-not-object': 'data must be an object {dataset, batchSize, shuffle, validationSize, normalize}',
  'data-dataset': 'data: dataset must be one of {options}, got {got}',
  'data-batch-size': 'data: batchSize must be an integer ≥ 1, got {got}',
  'data-shuffle': 'data: shuffle must be true or false, got {got}',
  'data-validation-size': 'data: validationSize must be an integer from 0 to 59999, got {got}',
  'data-normalize': 'data: normalize must be one of {options}, got {got}',
  'data-augment': 'data: augment must be an object {randomAffine, elastic}, got {got}',
  'augment-scale-order': '{where}: scale is (min, max), so min must not exceed max, got {got}',
  'bounds-order': '{where}: {high} must be greater than {low}, got {got}',
  // inferShapes: misfits.
  'rank-mismatch': '{id} ({op}) needs {layout} input but gets {shape}',
  'dim-out-of-range': '{id} ({op}): dim {dim} is out of range for a {rank}-D input',
  'linear-needs-features': '{id} (Linear) needs (N, in_features) input but gets {shape}',
  'linear-in-features-mismatch': '{id} (Linear) expects in_features {expected} but its input {shape} has {got}',
  'conv-in-channels-mismatch': '{id} (Conv2d) expects in_channels {expected} but its input {shape} has {got} channels',
  'conv-kernel-too-big': '{id} (Conv2d): a {kh}×{kw} kernel does not fit the {h}×{w} input',
  'pool-padding-too-big': '{id} ({op}): padding must be at most half the kernel size',
  'pool-window-too-big': '{id} ({op}): a {kh}×{kw} window does not fit the {h}×{w} input',
  'flatten-start-after-end': '{id} (Flatten): start_dim comes after end_dim',
  'flatten-batch': '{id} (Flatten): flattening the batch dim mixes samples together',
  'num-features-mismatch': '{id} ({op}) expects num_features {expected} but its input {shape} has {got}',
  'batch-first-false': '{id} ({op}) has batch_first=False, so it would read the batch dim of {shape} as time',
  'input-size-mismatch': '{id} ({op}) expects input_size {expected} but its input {shape} has {got} features per step',
  'add-shape-mismatch': '{id} (Add) needs equal shapes but gets {a} from {fromA} and {b} from {fromB}',
  'concat-dim-zero': '{id} (Concat): joining along dim 0 would stack samples',
  'concat-shape-mismatch': '{id} (Concat) along dim {dim} needs the other dims equal but gets {a} from {fromA} and {b} from {fromB}',
  'prelu-num-parameters': '{id} (PReLU) has num_parameters {got} but its input {shape} has {channels} channels (1 or one per channel)',
  'output-not-classes': 'the model outputs {shape} but {loss} needs [N, {classes}] (one score per class)',
  'layer-norm-shape-mismatch': '{id} (LayerNorm) normalizes over the last dims {expected} but its input is {shape}',
  'num-channels-mismatch': '{id} ({op}) expects num_channels {expected} but its input {shape} has {got}',
  'conv1d-in-channels-mismatch': '{id} (Conv1d) expects in_channels {expected} but its input {shape} has {got} channels (Conv1d reads (N, C, L): dim 1 is the channels)',
  'conv1d-kernel-too-big': '{id} (Conv1d): a kernel of {k} does not fit the length {l}',
  'unflatten-batch': '{id} (Unflatten): dim 0 is the batch; splitting it would mix samples together',
  'unflatten-size-mismatch': '{id} (Unflatten): unflattened_size {size} holds {product} values but dim {dim} of its input {shape} has {got}',
  // inferShapes: fixes.
  'fix-dim-range': 'set dim between {lo} and {hi}',
  'fix-input-image': 'set the Input shape to [1, 28, 28]',
  'fix-move-before-flatten': 'move it before any Flatten or Linear',
  'fix-connect-after-features': 'connect it after a layer with features',
  'insert-flatten': 'insert Flatten before {id}',
  'insert-flatten-set-in-features': 'insert Flatten before {id} and set in_features to {features}',
  'set-in-features': 'set in_features of {id} to {value}',
  'set-in-channels': 'set in_channels of {id} to {value}',
  'fix-conv-kernel': 'reduce kernel_size or add padding to {id}, or remove a pooling layer before it',
  'set-pool-padding': 'set padding of {id} to at most {value}',
  'fix-pool-kernel': 'reduce kernel_size of {id} or remove an earlier downsampling layer',
  'fix-flatten-order': 'set start_dim ≤ end_dim',
  'fix-flatten-start': 'set start_dim to 1',
  'use-batchnorm1d': 'use BatchNorm1d after Flatten/Linear',
  'use-batchnorm2d': 'use BatchNorm2d after a Conv2d',
  'set-num-features': 'set num_features of {id} to {value}',
  'fix-input-rows': 'set the Input shape to [28, 28] (each image row is one time step)',
  'fix-feed-sequence': 'feed it a sequence (N, L, features)',
  'set-batch-first': 'set batch_first of {id} to True',
  'set-input-size': 'set input_size of {id} to {value}',
  'fix-add-shape': 'make {from} output {shape}',
  'fix-concat-dim': 'set dim to 1 (features or channels)',
  'fix-concat-shape': 'make {from} output the same shape except dim {dim}',
  'insert-flatten-after': 'insert Flatten after {id}',
  'insert-flatten-linear-after': 'insert Flatten and Linear({features}, {classes}) after {id}',
  'set-out-features': 'set out_features of {id} to {classes}',
  'add-linear-after': 'add Linear({features}, {classes}) after {id}',
  'set-num-parameters': 'set num_parameters of {id} to {value}',
  'set-normalized-shape': 'set normalized_shape of {id} to {value}',
  'set-num-channels': 'set num_channels of {id} to {value}',
  'fix-input-conv1d': 'set the Input shape to [28, 28] (the image rows as 28 channels along 28 steps) or [1, 784]',
  'fix-feed-channels-steps': 'feed it (N, C, L): channels, then steps',
  'set-in-channels-rows': 'set in_channels of {id} to 28: nn.Conv1d reads [N, 28, 28] as 28 channels (the image rows) of 28 steps',
  'fix-unflatten-dim': 'set dim to 1 or later',
  'set-unflattened-size': 'set unflattened_size of {id} to sizes that multiply to {got}',
  'use-dropout': 'use Dropout: Dropout2d zeroes whole channels of (N, C, H, W) or (N, C, L) input',
  // lintSpec.
  'softmax-before-cross-entropy': '{id} (Softmax) feeds CrossEntropyLoss, which applies log_softmax itself; remove the Softmax so the model outputs raw logits (a softmax twice squashes the gradients).',
  'nll-without-log-softmax': 'NLLLoss expects log-probabilities, but the model ends with {last}; add LogSoftmax(dim=1) at the end, or use CrossEntropyLoss.',
  'sigmoid-before-bce-with-logits': '{id} (Sigmoid) feeds BCEWithLogitsLoss, which applies the sigmoid itself; remove the Sigmoid.',
  'bce-without-sigmoid': 'BCELoss needs probabilities in [0, 1]; end the model with Sigmoid, or use BCEWithLogitsLoss on raw outputs.',
  'dropout-last': '{id} (Dropout) is the last layer, so it randomly zeroes the class scores in training; put Dropout before the last Linear.',
  'linear-on-image': '{id} (Linear) gets a {rank}-D input {shape} and mixes only its last dim; insert Flatten before it to use every pixel.',
  'lr-too-high': 'lr {lr} is very high for {optimizer} (usual range {low} to {high}); training will likely diverge to NaN.',
  'lr-too-low': 'lr {lr} is very low for {optimizer} (usual range {low} to {high}); training will likely not move.',
  'kl-div-log-target': '{where}: log_target=True needs log-probability targets, but MNIST labels become one-hot rows whose log is −inf (the loss would be NaN); keep log_target False.',
  'kl-div-without-log-softmax': 'KLDivLoss compares log-probabilities with the one-hot label rows, but the model ends with {last}; add LogSoftmax(dim=1) at the end.',
  'margin-on-squashed': '{id} ({op}) squashes the class scores before MultiMarginLoss, which wants raw scores a margin apart (and class indices as targets); remove it so the model ends with the Linear scores.',
  'kl-div-mean': "KLDivLoss with reduction 'mean' also divides by the 10 classes, so it reports a tenth of the KL divergence per image (torch warns about it); set reduction to 'batchmean'.",
  'one-cycle-half-length': "{where}: {given} is set but {missing} is not; give total_steps, or both epochs and steps_per_epoch, or leave all three empty for the run's epochs × batches per epoch.",
  'one-cycle-no-momentum': '{where}: cycle_momentum needs an optimizer with momentum or betas, and {optimizer} has neither (torch raises here); set cycle_momentum to false, or use SGD, RMSprop or an Adam (Adam, AdamW, NAdam, RAdam, Adamax).',
  // ConvTranspose2d and Upsample (#18).
  'channels-mismatch': '{id} ({op}) expects in_channels {expected} but its input {shape} has {got} channels',
  'conv-transpose-empty': '{id} (ConvTranspose2d): padding {ph}×{pw} leaves no output from the {h}×{w} input',
  'fix-conv-transpose-padding': 'reduce padding of {id}',
  'output-padding-stride': '{where}: output_padding must be smaller than stride',
  'upsample-size-or-scale': '{where}: give exactly one of size and scale_factor',
  'align-corners-nearest': "{where}: align_corners applies to mode 'bilinear' only; leave it empty for 'nearest'",
  'upsample-empty': '{id} (Upsample): scale_factor {scale} leaves no output from the {h}×{w} input',
  'fix-upsample-scale': 'raise scale_factor of {id}, or give size instead',
  // Image targets (#18).
  'data-target': 'data: target must be one of {options}, got {got}',
  'image-target-loss': "{loss} compares class indices, but data.target 'image' compares the output with the input image; use one of {losses}",
  'output-not-image': 'the model outputs {shape} but {loss} compares it with the input image [N, 1, 28, 28]',
  'fix-output-image': 'end the model with one channel of 28×28, e.g. ConvTranspose2d(…, 1, …) or Upsample to size 28',
  // Conv padding words and padding_mode (#18 follow-up).
  'param-or-words': '{problem}, or one of {options}',
  'padding-same-strided': "{where}: padding='same' needs stride 1 (torch refuses it for strided convolutions); give a number, or set stride to 1",
  'reflect-padding-too-big': "{id} ({op}): padding_mode 'reflect' mirrors at most {max} values of a dim of size {size}, but padding is {pad}",
  'circular-padding-too-big': "{id} ({op}): padding_mode 'circular' wraps at most {size} values of a dim of size {size}, but padding is {pad}",
  'fix-reduce-padding': "reduce padding of {id}, or use padding_mode 'zeros' or 'replicate'",
  // A loss's class weights (#18 follow-up).
  'param-floats': 'must be a list of {length} numbers',
  'param-floats-range': 'must be a list of {length} numbers {range}',
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_TEXT;

/** Every code, in one list: the renderer's catalog must have an entry for each (a test checks both languages). */
export const DIAGNOSTIC_CODES = Object.keys(DIAGNOSTIC_TEXT) as DiagnosticCode[];

export type DiagnosticParam = string | number | Diagnostic;
export type DiagnosticParams = Record<string, DiagnosticParam>;

/** A message as data: what the English `message` says, in a form any language can render. */
export interface Diagnostic {
  code: DiagnosticCode;
  params: DiagnosticParams;
}

export const diagnostic = (code: DiagnosticCode, params: DiagnosticParams = {}): Diagnostic => ({ code, params });

/**
 * Fills a diagnostic's template, nested diagnostics first. `template` picks the text for a code (English by
 * default); an unknown placeholder stays visible rather than throwing.
 */
export function renderDiagnostic(d: Diagnostic, template: (code: DiagnosticCode) => string = (code) => DIAGNOSTIC_TEXT[code]): string {
  return template(d.code).replace(/\{(\w+)\}/g, (whole, name: string) => {
    if (!Object.hasOwn(d.params, name)) return whole;
    const value = d.params[name];
    return typeof value === 'object' ? renderDiagnostic(value, template) : String(value);
  });
}

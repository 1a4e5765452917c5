/**
 * What the host side says to the learner in sentences (why a run diverged and its likely causes, why a run
 * stopped, how it came back after a crash, why the engine host restarted, how each backend probed, how a custom
 * dataset was checked, why a dataset cannot be loaded, and the errors a learner meets: every failure of main's
 * datasets, weights and projects services, the engine's refusals of a run, a prediction, a gallery page, a lesson step,
 * crossing as an API envelope's `error.text` or an engine `error` event's `text`), as a code and its parameters, so
 * the renderer words it in the learner's language: src-renderer's catalogs hold every code under
 * `engineText.<code>`, en.ts taking these English templates as they are and ko.ts translating each (a test checks
 * both have every code). The engine host still writes the English sentence beside the code (englishText), for
 * run.json, logs, the CLI and older readers.
 * A parameter may be a sentence itself, or a list of them (EngineParam), worded the same way in either language.
 *
 *   englishText({ code: 'reason.weightsLoaded', params: { file: 'net.safetensors' } })
 *   → 'weights loaded from net.safetensors'
 */
const RESTORED = 'The run was stopped and its last good checkpoint restored.';
const CUSTOM = 'Custom dataset: these files are not the known MNIST/Fashion-MNIST files, so they were checked by IDX header and counts only:';
const FREE_SPACE = 'Free some space, then restart the run from its last checkpoint.';
const LESSON_WAITS = 'the lesson waits until it is paused, stopped or done';

export const ENGINE_TEXT = {
  'diverged.batch.nonFinite': `Training diverged at epoch {epoch}, batch {batch}: the loss became {loss}. ${RESTORED}`,
  'diverged.epoch.nonFinite': `Training diverged at epoch {epoch}: the loss became {loss}. ${RESTORED}`,
  'diverged.batch.tooLarge':
    `Training diverged at epoch {epoch}, batch {batch}: the loss reached {loss}, more than {factor}× its first value ({firstLoss}). ${RESTORED}`,
  'diverged.epoch.tooLarge':
    `Training diverged at epoch {epoch}: the epoch's mean loss reached {loss}, more than {factor}× the first epoch's ({firstLoss}). ${RESTORED}`,
  'cause.softmaxIntoNll':
    'The model ends with Softmax and feeds NLLLoss: probabilities that round to 0 give log(0) = −∞. End with LogSoftmax instead, or drop the Softmax and use CrossEntropyLoss.',
  'cause.nllWithoutLogSoftmax':
    'NLLLoss expects log-probabilities but the model does not end with LogSoftmax; add LogSoftmax(dim=1) or use CrossEntropyLoss.',
  'cause.lrTooHigh':
    'The learning rate {lr} is too high for {optimizer} (usual range up to {high}): each step overshoots and the loss explodes. Try {suggested}.',
  'cause.notNormalized':
    'The inputs are not normalised (pixels 0..255), so activations and gradients are about 255× too large. Set the data normalisation to "standardize" (or at least "scale").',
  'cause.lrMaybeHigh':
    'The learning rate {lr} may still be too high for this model and {optimizer}; restarting from the last good checkpoint with {suggested} usually settles it.',
  'reason.stoppedByUser': 'stopped by the user',
  'reason.earlyStopped.one':
    'early stopping: the validation loss did not improve for 1 epoch; restored the weights of epoch {bestEpoch} (validation loss {bestValLoss})',
  'reason.earlyStopped.many':
    'early stopping: the validation loss did not improve for {patience} epochs; restored the weights of epoch {bestEpoch} (validation loss {bestValLoss})',
  'reason.stuck':
    'The engine host crashed or stopped answering twice during this run without it getting further, so LayerLab did not resume it by itself again. Restart it from its last checkpoint (epoch {epoch}) to try once more, perhaps with a smaller model or batch.',
  'reason.resumeFailed': 'could not resume after the engine host stopped: {message}',
  'reason.weightsLoaded': 'weights loaded from {file}',
  'recovered.closed.inEpoch':
    'LayerLab was closed during run "{name}"; it resumed from its checkpoint in epoch {epoch}, after batch {batch}; the batches since are trained again.',
  'recovered.closed.afterEpoch':
    'LayerLab was closed during run "{name}"; it resumed from its checkpoint after epoch {epoch}; epoch {next} is trained again.',
  'recovered.crashed.inEpoch':
    'The engine host stopped unexpectedly and was restarted. Run "{name}" resumed from its checkpoint in epoch {epoch}, after batch {batch}; the batches since are trained again.',
  'recovered.crashed.afterEpoch':
    'The engine host stopped unexpectedly and was restarted. Run "{name}" resumed from its checkpoint after epoch {epoch}; epoch {next} is trained again.',
  // Why the engine host is restarting or failed (the header's status badge), in parts joined by '; '.
  'engine.exited': 'the engine host exited with code {code}',
  'engine.killed': 'the engine host was killed by {signal}',
  'engine.noHello': 'the engine host did not say hello within {ms} ms',
  'engine.unresponsive': 'the engine host stopped answering for {seconds} s (unresponsive: its work blocked it)',
  'engine.cannotStart': 'could not start the engine host: {message}',
  'engine.restartingIn': 'restarting in {ms} ms',
  'engine.gaveUp': 'it crashed {count} times within {seconds} s, so LayerLab stopped restarting it',
  // How main's datasets service checked a custom import (the dataset card's note, kept in its manifest).
  'dataset.custom.withTest':
    `${CUSTOM} {train} training images {height}×{width}, {test} test images, {classes} classes (0–{maxLabel}).`,
  'dataset.custom.noTest':
    `${CUSTOM} {train} training images {height}×{width}, no test set, {classes} classes (0–{maxLabel}).`,
  // One detected backend as the engine host probed it (the header's Details: "webasm: ok (3 ms)"). {error} is an
  // exception's own message, a developer's words, shown as it came.
  'backend.ok.ms': 'ok ({ms} ms)',
  'backend.ok.threads': 'ok ({threads} threads)',
  'backend.ok.webgpu': 'ok (WebGPU through Dawn on {adapter})',
  'backend.ok.engine': 'ok (engine backend)',
  'backend.unavailable': 'unavailable ({error})',
  'backend.unavailable.wrongResult': 'unavailable (wrong result {values})',
  'backend.unavailable.noNavigatorGpu.node': 'unavailable (no navigator.gpu in Node; the engine runs WebGPU through Dawn: see gpujs-webgpu)',
  'backend.unavailable.noNavigatorGpu.here': 'unavailable (no navigator.gpu in this process; the engine runs WebGPU through Dawn: see gpujs-webgpu)',
  'backend.unavailable.noWebgl.node': 'unavailable (no WebGL in Node)',
  'backend.unavailable.noWebgl.here': 'unavailable (no WebGL in this process)',
  'backend.unavailable.noGlContext': 'unavailable (headless-gl could not create a context)',
  'backend.unavailable.noGlPackage': "unavailable (the optional 'gl' package is not installed)",
  'backend.unavailable.noWebAssembly': 'unavailable (no WebAssembly)',
  'backend.unavailable.noWasmSimd': 'unavailable (no WebAssembly SIMD in this runtime)',
  'backend.unavailable.oldGlibc': "unavailable (Dawn's webgpu package needs glibc ≥ 2.38 (the system lacks {wanted}))",
  'backend.unavailable.noWebgpuPackage': "unavailable (the 'webgpu' package is not installed)",
  'backend.unavailable.noWebgpuAdapter': 'unavailable (Dawn found no WebGPU adapter (no Vulkan, Metal or D3D12 driver))',
  'backend.unavailable.softwareAdapter':
    "unavailable (Dawn's only adapter is {adapter}: WebGPU on the CPU, slower than the wasm backends)",
  // Why a run's backend is not the one it asked for, or ran slower (the header's Details), joined by '; '.
  'backend.note.notHere': "the backend '{backend}' this run asked for is not available here; using the fastest measured",
  'backend.note.plansFailed': '{backend}: {failure}; those steps ran kernel by kernel (correct, slower)',
  'backend.note.fellBack':
    'the {backend} backend failed ({error}); training goes on on the CPU from batch {batch} of epoch {epoch}, with nothing lost',
  // A run that could not write its checkpoint (its reason, on the Train tab).
  'reason.diskFull': `The disk is full: this run's checkpoint could not be written. ${FREE_SPACE}`,
  'reason.diskFullAt':
    `The disk is full: this run's checkpoint could not be written ({path}). ${FREE_SPACE}`,
  // The run that stopped a lesson step (the Learn tab's note), or keeps one from starting (its error).
  'lesson.runRunning': 'run {id} ("{name}") is running',
  'lesson.runLoading': 'run {id} ("{name}") is loading',
  'lesson.waitsForRun.running': `lesson-run: run {id} ("{name}") is running; ${LESSON_WAITS}`,
  'lesson.waitsForRun.loading': `lesson-run: run {id} ("{name}") is loading; ${LESSON_WAITS}`,
  // A lesson step without MNIST on disk: {message} is main's own reason, its dataset.notReady sentence where main
  // coded it, else as it came.
  'lesson.noMnist': 'lesson step {step}: the lesson runs on MNIST, which could not be loaded ({message}); download it on the Data tab',
  // A dataset asked for training (a run, a lesson) that is not on disk whole: main's datasets service says which
  // files, {files} being one dataset.file.* sentence per file that is not ok.
  'dataset.notReady': '{name} is not ready ({files}). Download it, or import the IDX files.',
  'dataset.file.missing': '{file} missing',
  'dataset.file.truncated': '{file} truncated',
  'dataset.file.corrupt': '{file} corrupt',
  // A WebGPU adapter without a name of its own, or one that computes on the CPU ({adapter} of the backend lines).
  'backend.adapter.unnamed': 'an unnamed adapter',
  'backend.adapter.software': '{name} (software)',
  // Main's datasets service, failing a download, an import or a load (the Data tab's card, a run's or a lesson's
  // reason). {detail} and {message} are a system's or a parser's own words (ENOTDIR, "IDX: bad magic …"), kept as
  // they came; the mirrors' own reasons travel beside the sentence as details.
  'dataset.title.mnist': 'MNIST handwritten digits',
  'dataset.title.fashion-mnist': 'Fashion-MNIST clothing images',
  'dataset.cancelled': 'Download cancelled.',
  'dataset.badName': '"{name}" is not a dataset name.',
  'dataset.unknown': 'Unknown dataset "{name}" (known: {known}).',
  'dataset.unknown.toDelete': 'Unknown dataset "{name}": there is nothing of that name to delete.',
  'dataset.unknown.notDownloadable': 'Unknown dataset "{name}" (known: {known}); custom datasets are imported, not downloaded.',
  'dataset.unknown.custom': 'Unknown dataset "{name}".',
  'dataset.busy': '{name} is downloading; wait or cancel first.',
  'dataset.offline.one':
    'Could not download {title}: none of {count} mirror could be reached. If this computer is offline, use Import to load the four IDX files ({files}) from disk.',
  'dataset.offline.many':
    'Could not download {title}: none of {count} mirrors could be reached. If this computer is offline, use Import to load the four IDX files ({files}) from disk.',
  'dataset.offline.file': 'Could not download {file}: no mirror answered with the file.',
  'dataset.checksum': 'Every mirror served a {file} whose SHA-256 does not match the catalogue.',
  'dataset.diskFull.needs':
    'The disk is full: {title} needs {needed} more free space in {dir}. Free some space, or choose another cache folder, and download again.',
  'dataset.diskFull.needsFree':
    'The disk is full: {title} needs {needed} more free space in {dir}; {free} is free. Free some space, or choose another cache folder, and download again.',
  'dataset.diskFull.dir': 'The disk that holds {dir} is full.',
  'dataset.cacheUnwritable':
    'The dataset cache folder {dir} is not writable ({detail}). Choose another cache folder in Settings (CLI: --cache DIR).',
  'dataset.cacheWriteFailed': 'Cannot write to the dataset cache ({detail}).',
  'dataset.corrupt.gzip': '{file}: gzip data is damaged ({detail}).',
  'dataset.corrupt.idx': 'A stored file is damaged: {detail}',
  'dataset.corrupt.images.train': 'train images must be N×H×W ubyte, got {shape} {dtype}',
  'dataset.corrupt.images.test': 'test images must be N×H×W ubyte, got {shape} {dtype}',
  'dataset.corrupt.labels.train': 'train labels must be N ubyte, got {shape} {dtype}',
  'dataset.corrupt.labels.test': 'test labels must be N ubyte, got {shape} {dtype}',
  'dataset.corrupt.counts.train': 'train: {images} images but {labels} labels',
  'dataset.corrupt.counts.test': 'test: {images} images but {labels} labels',
  'dataset.fileMissing.trainImages': '{name}: the train images file is missing; fetch or import it first.',
  'dataset.fileMissing.trainLabels': '{name}: the train labels file is missing; fetch or import it first.',
  'dataset.fileMissing.testImages': '{name}: the test images file is missing; fetch or import it first.',
  'dataset.fileMissing.testLabels': '{name}: the test labels file is missing; fetch or import it first.',
  'dataset.noTestImages': '{name} has no test images.',
  'dataset.noImage': "{name}'s {split} split has {count} images (0..{last}); there is no image {start}.",
  'dataset.upload.expired': 'That upload is unknown or expired; pick the files again.',
  // main's projects service (save, open, the native file dialogs).
  'project.nameTaken':
    '"{name}" would be saved as {file}, which holds the project "{holder}"; choose another name, or open "{holder}" and save it.',
  'project.invalid': 'not a valid project ({problem}: {detail})',
  'project.tooLarge':
    'This project is {mb} MB even written compactly, over the {limitMb} MB a project may be; remove nodes (or split the model into several projects) and save again. Nothing was written.',
  'project.notReadBack': 'This project could not be read back ({problem}: {detail}); nothing was written.',
  'project.notFound': 'no project named "{name}"',
  'project.cannotOpen': 'project "{name}" cannot be opened ({problem}: {detail})',
  'project.noDialog': 'This host has no file dialog; the page downloads and uploads instead.',
  'dataset.upload.tooLarge': 'The upload is larger than {mb} MB.',
  'dataset.import.none': 'No files picked.',
  'dataset.import.unreadable': 'Cannot read {path} ({detail}).',
  'dataset.import.notGzip': '{file}: not valid gzip ({detail}).',
  'dataset.import.notIdx': '{detail}. Pick the IDX files (e.g. train-images-idx3-ubyte.gz).',
  'dataset.import.mixed': 'These files belong to different datasets ({names}); import one dataset at a time.',
  'dataset.import.twice': 'The same file was picked twice.',
  'dataset.import.catalogueName':
    '"{name}" is a catalogue dataset, and these files do not match its checksums; import them under another name.',
  'dataset.import.badName': 'Dataset name "{name}" must be letters, digits, ".", "_" or "-".',
  'dataset.import.dims': '{file}: {dims}-D array; expected N×H×W images or N labels.',
  'dataset.import.dtype': '{file}: dtype {dtype}; only ubyte images and labels are supported.',
  'dataset.import.pickOne.images':
    'Pick one training images file and at most one test images file (name test files with "t10k" or "test"); got {count}.',
  'dataset.import.pickOne.labels':
    'Pick one training labels file and at most one test labels file (name test files with "t10k" or "test"); got {count}.',
  'dataset.import.noTrainLabels': 'A training labels file is needed.',
  'dataset.import.pair.training': 'The training set needs both an images and a labels file.',
  'dataset.import.pair.test': 'The test set needs both an images and a labels file.',
  'dataset.import.counts.training': 'training counts differ: {images} has {imageCount} images, {labels} has {labelCount} labels.',
  'dataset.import.counts.test': 'test counts differ: {images} has {imageCount} images, {labels} has {labelCount} labels.',
  'dataset.import.testSize': 'Test images are {test} but training images are {train}.',
  // The Learn tab: MNIST that is not 28×28 (nested in lesson.noMnist), and a step that failed for a reason of its own.
  'lesson.needs28': 'the lesson needs 28×28 MNIST images, got {height}×{width}',
  'lesson.stepFailed': 'lesson step {step}: {message}',
  'lesson.stepRunning.here': 'lesson-run: step {step} is still running (stop it or wait for it first)',
  'lesson.stepRunning.elsewhere': 'lesson-run: step {step} is still running (another window is running a lesson step)',
  // The engine host refusing a request the learner made (Train, Predict, Runs, the gallery, a weights file).
  // {state} is one of the runState.* words.
  'runState.loading': 'loading',
  'runState.running': 'running',
  'runState.paused': 'paused',
  'runState.stopped': 'stopped',
  'runState.completed': 'completed',
  'runState.early-stopped': 'early-stopped',
  'runState.diverged': 'diverged',
  'runState.failed': 'failed',
  'run.busy':
    'run {id} ("{name}") is {state} at epoch {epoch} of {epochs}; LayerLab trains one run at a time, so stop it first',
  'run.earlyStoppingWithoutValidation':
    'early stopping watches the validation loss, but validation_size is 0: hold out some images, or turn early stopping off',
  'run.validationTooLarge':
    'validation_size is {size}, but the {dataset} training file has {count} images; set it to a whole number from 0 to {max}, so that some images are left to train on',
  'run.inputMismatch': "the {dataset} images are {height}×{width} ({values} values) but the model's Input takes [{shape}]; change the Input shape",
  'run.batchTooLarge': 'the batch size is {batch}, more than the {count} training images of {dataset}; set it to at most {count} (64 is usual)',
  'run.notFound': 'there is no run {id}',
  'run.noCurrent.predict': 'there is no current run to predict with; start or name a run',
  'run.noCurrent.inside': 'there is no current run to look inside; start or name a run',
  'run.noCheckpoint.last': 'run {id} has no checkpoint of its latest weights',
  'run.noCheckpoint.partial': 'run {id} has no checkpoint within its epoch',
  'run.noCheckpoint.epoch': 'run {id} has no checkpoint for epoch {epoch}',
  'run.noBestEpoch': 'run {id} has no best epoch yet (no validation loss recorded)',
  'run.testLocked.active':
    'the test set is locked while run {id} is {state}: stop the run or let it finish, then evaluate on the test set. Until then, tune against the validation set',
  'run.testLocked.ended':
    'the test set is locked while run {id} is {state}: only a finished or stopped run is evaluated on it. Until then, tune against the validation set',
  'run.noSet.test': 'the {dataset} dataset has no test set',
  'run.noSet.validation': 'the {dataset} dataset has no validation set',
  'run.notEvaluated.test': 'run {id} has no test evaluation in memory; evaluate it first (run-evaluate)',
  'run.notEvaluated.validation': 'run {id} has no validation evaluation in memory; evaluate it first (run-evaluate)',
  // A click on the current run that raced its end (Pause as it finished): {verb} is one of the runAction.* words.
  'runAction.pause': 'pause',
  'runAction.resume': 'resume',
  'runAction.step': 'step',
  'runAction.stop': 'stop',
  'runAction.setLr': 'set the learning rate of',
  'run.cannot.notCurrent': 'cannot {verb} run {id}: the current run is {current}',
  'run.cannot.noRun': 'cannot {verb} run {id}: no run has been started',
  'run.cannot.state': 'cannot {verb} run {id}: it is {state}',
  'run.cannot.notLoaded': 'cannot {verb} run {id}: its model is not loaded',
  'run.restart.active': 'run {id} is {state}; restart is for a stopped, finished or diverged run',
  'run.restart.beyond': 'run {id} has checkpoints up to epoch {done}, not {from}',
  'run.restart.done': 'run {id} already trained all its {epochs} epochs',
  'inside.noLayer': 'the model has no layer named "{layer}" (its layers: {known})',
  'weights.expired': '{file} is no longer waiting to be loaded (it expired, or was loaded already); pick the file again',
  'weights.unreadable': '{file} is not a readable .safetensors file: {detail}',
  'weights.doesNotFit': '{file} does not fit {model}: {detail}',
  'weights.doesNotFit.unnamed': '{file} does not fit this model: {detail}',
  // A run's checkpoint going out, or a weights file coming in (main's weights service, and the page's own checks
  // before and while it sends: the same sentences). {problem} is the safetensors check's own words.
  'weights.noRun': 'There is no run {id}.',
  'weights.noBestEpoch': 'Run "{name}" has no best epoch yet (no validation loss was recorded).',
  'weights.noCheckpoint.last': 'Run "{name}" has no checkpoint of its latest weights yet.',
  'weights.noCheckpoint.epoch': 'Run "{name}" has no checkpoint for epoch {epoch} yet.',
  'weights.checkpointTooLarge': 'The checkpoint is {size}; LayerLab hands out weights files up to {max}.',
  'weights.changed': 'The checkpoint changed while it was being downloaded (the run saved a newer one); download it again.',
  'weights.endedEarly': 'The checkpoint ended early; download it again.',
  'weights.upload.expired': 'That upload is unknown or expired; pick the file again.',
  'weights.upload.busy': 'Too many weights files are being loaded at once; wait for one to finish.',
  'weights.upload.tooLarge': '{file} is {size}; LayerLab loads weights files up to {max}.',
  'weights.upload.badFile': '{file} cannot be loaded: {problem}.',
  'weights.upload.short': '{file} ended before its size said it would.',
  'weights.timeout': 'The engine did not answer; it may have restarted. Load the file again.',
  // A model too big to train on this machine (the engine refuses it at run-start), and the change that would fit it.
  'memory.tooLarge':
    'This model needs about {total} to train (weights and gradients {weights}, optimizer state up to {optimizer}, activations {activations} at batch size {batch}), more than the {budget} LayerLab may use on this machine (half its memory). To train it, {fix}.',
  'memory.fix.batch': 'lower the batch size ({batch} now)',
  'memory.fix.batchOrOutput':
    'lower the batch size ({batch} now) or make the layer with the largest output smaller ({id}, {op}: {values} values per batch)',
  'memory.fix.fewerLayers': 'use fewer layers ({layers} with parameters, {params} parameters in all; the largest, {id}, {op}, has {largest})',
  'memory.fix.largestLayer': 'make the largest layer smaller ({id}, {op}: {params} parameters)',
} as const;

export type EngineTextCode = keyof typeof ENGINE_TEXT;

/** The `{param}` names in a template, e.g. Placeholders<'{a} of {b}'> = 'a' | 'b'. */
export type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;

/**
 * A parameter's value: a word or a number as it goes into the sentence (numbers already worded, e.g. '2.303'), or
 * a sentence of its own, or a list of them (joined with LIST_SEPARATOR), which the renderer words in the learner's
 * language too (dataset.notReady's {files}; lesson.noMnist's {message}).
 */
export type EngineParam = string | number | EngineText | readonly EngineText[];

/** One sentence: its code and exactly the parameters its template names. */
export type EngineText = {
  [C in EngineTextCode]: { code: C; params: Record<Placeholders<(typeof ENGINE_TEXT)[C]>, EngineParam> };
}[EngineTextCode];

/** How a list of sentences in a parameter is joined, in every language ("a missing, b corrupt"). */
export const LIST_SEPARATOR = ', ';

/** Builds an EngineText with its parameters checked against the template. */
export function engineText<C extends EngineTextCode>(
  code: C, params: Record<Placeholders<(typeof ENGINE_TEXT)[C]>, EngineParam>,
): EngineText {
  return { code, params } as EngineText;
}

/** A sentence's parameters ready to fill a template: its nested sentences worded by `say` (in any language). */
export function wordedParams(text: EngineText, say: (text: EngineText) => string): Record<string, string | number> {
  const params = text.params as Record<string, EngineParam>;
  return Object.fromEntries(Object.entries(params).map(([name, value]) => [
    name,
    typeof value !== 'object' ? value : isSentenceList(value) ? value.map(say).join(LIST_SEPARATOR) : say(value),
  ]));
}

const isSentenceList = (value: EngineText | readonly EngineText[]): value is readonly EngineText[] => Array.isArray(value);

/** The English sentence: the template with its parameters filled in. */
export function englishText(text: EngineText): string {
  const params = wordedParams(text, englishText);
  return ENGINE_TEXT[text.code].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Several sentences as one paragraph, the way run.json's `reason` holds them (the engine's status joins with '; '). */
export const englishTexts = (texts: readonly EngineText[], separator = ' '): string => texts.map(englishText).join(separator);

/**
 * Whether a value that crossed a process boundary (or came from an old run.json) is an EngineText we know, down to
 * the sentences nested in its parameters.
 */
export function isEngineText(value: unknown): value is EngineText {
  const v = value as { code?: unknown; params?: unknown } | null;
  if (!v || typeof v.code !== 'string' || !Object.hasOwn(ENGINE_TEXT, v.code) || typeof v.params !== 'object' || v.params === null) return false;
  return Object.values(v.params).every((param) => typeof param === 'string' || typeof param === 'number'
    || (Array.isArray(param) ? param.every(isEngineText) : isEngineText(param)));
}

/**
 * An error whose message is a sentence we have a code for, so that whoever reports it sends both: an engine
 * `error` event's `text`, a failed run's `reasonText`, a sentence that nests it. `message` is the English as it came
 * (main's own, across the dataset hand-over), which englishText(text) gives too.
 */
export class EngineTextError extends Error {
  constructor(readonly text: EngineText, message = englishText(text)) {
    super(message);
  }
}

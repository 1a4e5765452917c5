/**
 * Predict's look inside the network: for one input (the learner's drawing, or an image they pick: one of a few test
 * images, any test image by its index, or an image of the Evaluate gallery), every
 * layer's output as the engine computed it (`layer-outputs`, recorded by forward hooks), and the weights of the
 * layer they click (`layer-weights`). Only the answer to the latest request is shown.
 */
import type { CheckpointRef, EngineEvent, LayerOutput } from '../../../../common/engine-protocol';
import { decodeFloat32 } from '../../../../common/inside-protocol';
import type { DatasetSamples } from '../../../../common/dataset-api';
import type { DatasetName } from '../../../../common/model-spec/types';
import type { Host } from '../../lib/host/host';
import { nextRequestId } from '../predict/predict-logic';
import { hostError, type ErrorFrame, type HostError } from '../../lib/i18n/translate';

export interface ShownLayer extends Omit<LayerOutput, 'values'> {
  values: Float32Array;
}

export interface ShownWeights {
  layer: string;
  /** The layer's spec node id (`conv1`), as the layer view names it; its state-dict name when it has none. */
  title: string;
  op: string;
  tensors: { name: string; shape: number[]; values: Float32Array }[];
}

export interface TestImage {
  /** Which split the image is from: a thumbnail or a picked index is a test image; the gallery may show validation. */
  split: 'test' | 'validation';
  index: number;
  label: number;
  /** 28×28 grey bytes, 0..255, row by row. */
  pixels: number[];
}

/** Test images offered to look inside with. */
export const TEST_IMAGES = 12;

export class InsideState {
  #host: Host;
  #stop: (() => void) | null = null;
  #latest: number | null = null;
  #latestWeights: number | null = null;
  #latestPixels: number[] = [];
  /** The run and checkpoint that answered last (the engine names the run even when none was asked for). */
  #answered: { runId: string | null; checkpoint: CheckpointRef } = { runId: null, checkpoint: 'last' };
  #testImagesFor: DatasetName | null = null;

  /** 'drawing': the Predict pad's input; 'image': `image`. */
  source = $state<'drawing' | 'image'>('drawing');
  /** The image looked inside with when the source is 'image'. */
  image = $state.raw<TestImage | null>(null);
  /** Images in the test split (what the index picker allows), once known. */
  testTotal = $state<number | null>(null);
  /** The 0..255 pixels of the input shown (the answer's), and the same as the model saw them (normalised). */
  pixels = $state.raw<number[] | null>(null);
  input = $state.raw<Float32Array | null>(null);
  layers = $state.raw<ShownLayer[]>([]);
  probabilities = $state.raw<number[] | null>(null);
  predicted = $state<number | null>(null);
  /** Why the last look failed: main's answer (a test image) or the engine's, framed as whose it was where uncoded. */
  error = $state.raw<(HostError & { frame: ErrorFrame }) | null>(null);
  /** The layer whose weights are shown, and which conv input channel or Linear output. */
  selected = $state<string | null>(null);
  pick = $state(0);
  weights = $state.raw<ShownWeights | null>(null);
  testImages = $state.raw<TestImage[]>([]);

  constructor(host: Host) {
    this.#host = host;
  }

  connect(): void {
    this.dispose();
    this.#stop = this.#host.engine.subscribe((event) => this.#on(event));
  }

  dispose(): void {
    this.#stop?.();
    this.#stop = null;
  }

  /** The chosen image, when the source is one. */
  get testImage(): TestImage | null {
    return this.source === 'image' ? this.image : null;
  }

  /** Looks inside with this image (a thumbnail, a picked index, or an image of the Evaluate gallery). */
  show(image: TestImage): void {
    this.image = image;
    this.source = 'image';
  }

  /** Fetches test image `index` of the dataset (the samples API, from that index) and looks inside with it. */
  async showTestImage(dataset: DatasetName, index: number): Promise<void> {
    const answer = await this.#host.api.getDatasetSamples(dataset, { split: 'test', start: index, count: 1 });
    if (!answer.ok) {
      this.error = { ...hostError(answer.error), frame: 'error.frame.main' };
      return;
    }
    this.error = null;
    const [image] = imagesOf(answer.value);
    if (image) this.show(image);
  }

  /** Runs `pixels` through the run's model (null: the current run), recording every layer. */
  look(pixels: number[], runId: string | null, checkpoint: CheckpointRef): void {
    const requestId = nextRequestId();
    this.#latest = requestId;
    this.#latestPixels = pixels;
    this.#host.engine.post({ type: 'layer-outputs', requestId, image: pixels, checkpoint, ...(runId ? { runId } : {}) });
  }

  /** Shows (or, clicked again, hides) a layer's weights. */
  select(layer: string | null): void {
    this.selected = this.selected === layer ? null : layer;
    this.pick = 0;
    this.weights = null;
    if (this.selected) this.#askWeights(this.selected);
  }

  /**
   * A handful of test images of the run's dataset, and how many its test split holds, once per dataset. Only the
   * latest dataset's answer counts: one asked for earlier (before the run's spec came) may land after it.
   */
  async loadTestImages(dataset: DatasetName): Promise<void> {
    if (this.#testImagesFor === dataset) return;
    this.#testImagesFor = dataset;
    this.testTotal = null;
    const answer = await this.#host.api.getDatasetSamples(dataset, { split: 'test', count: TEST_IMAGES });
    if (this.#testImagesFor !== dataset) return;
    if (!answer.ok) {
      this.#testImagesFor = null;
      return;
    }
    this.testTotal = answer.value.total;
    this.testImages = imagesOf(answer.value);
  }

  #askWeights(layer: string): void {
    const requestId = nextRequestId();
    this.#latestWeights = requestId;
    const { runId, checkpoint } = this.#answered;
    this.#host.engine.post({ type: 'layer-weights', requestId, layer, checkpoint, ...(runId ? { runId } : {}) });
  }

  #on(event: EngineEvent): void {
    if (event.type === 'layer-outputs' && event.requestId === this.#latest) {
      this.error = null;
      this.pixels = this.#latestPixels;
      this.input = decodeFloat32(event.input);
      this.layers = event.layers.map((layer) => ({ ...layer, values: decodeFloat32(layer.values) }));
      this.probabilities = event.probabilities;
      this.predicted = event.predicted;
      // The weights depend on the model, not the input: asked again only when another model answers.
      const otherModel = this.#answered.runId !== event.runId || this.#answered.checkpoint !== event.checkpoint;
      this.#answered = { runId: event.runId, checkpoint: event.checkpoint };
      if (this.selected && !this.layers.some((l) => l.name === this.selected)) this.select(null);
      else if (this.selected && otherModel) this.#askWeights(this.selected);
    } else if (event.type === 'layer-weights' && event.requestId === this.#latestWeights) {
      const title = this.layers.find((l) => l.name === event.layer)?.nodeId ?? event.layer;
      this.weights = { layer: event.layer, title, op: event.op, tensors: event.tensors.map((t) => ({ ...t, values: decodeFloat32(t.values) })) };
    } else if (event.type === 'error' && event.requestId !== undefined && (event.requestId === this.#latest || event.requestId === this.#latestWeights)) {
      this.error = { ...hostError(event), frame: 'error.frame.engine' };
    }
  }
}

/** The test images of a samples answer, each with its 0..255 pixels. */
function imagesOf({ pixels, width, height, indices, labels }: DatasetSamples): TestImage[] {
  const binary = atob(pixels);
  const size = width * height;
  return indices.map((index, i) => ({
    split: 'test', index, label: labels[i], pixels: Array.from({ length: size }, (_, j) => binary.charCodeAt(i * size + j)),
  }));
}

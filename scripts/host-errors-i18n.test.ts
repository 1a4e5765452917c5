/**
 * The host's errors reach a Korean learner in Korean, end to end through the real boundaries: main's datasets
 * service (a real download from a loopback mirror that fails the way networks and disks do, a damaged cache, bad
 * uploads) answers through the API dispatcher's envelope, and the engine host's run manager and lesson runner answer
 * through the engine protocol's `error` event; the renderer's catalogs word what arrived (errorSays, the function
 * the Data, Train, Predict, Runs and gallery lines call). Each sentence crosses as its code beside the same English.
 *
 * It lives in scripts/ because it joins main's services, the engine host and the renderer's catalogs, which no wing
 * may import together (scripts/check-boundaries.ts).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetInfo, DatasetList } from '../common/dataset-api';
import type { EngineEvent } from '../common/engine-protocol';
import { englishText, isEngineText } from '../common/engine-text';
import type { ApiError } from '../common/envelope';
import { PRESETS } from '../common/model-spec/presets';
import { DEFAULT_RUN, makeProject } from '../common/project';
import type { TrainingDataset } from '../common/training-protocol';
import { LessonRunner } from '../src-main/engine-host/lesson/lesson-runner';
import { RunManager, type TrainingPeer } from '../src-main/engine-host/training/run-manager';
import { createApiHandlers } from '../src-main/services/api-handlers';
import { DatasetApi } from '../src-main/services/dataset-api';
import { CATALOGUE, DatasetService, type CatalogueEntry } from '../src-main/services/datasets';
import { deadUrl, startMirror, tinyDataset, type TestMirror } from '../src-main/services/datasets/test-helpers';
import { createDispatcher, type Dispatch } from '../src-main/services/dispatcher';
import { en } from '../src-renderer/src/lib/i18n/en';
import { ko } from '../src-renderer/src/lib/i18n/ko';
import { errorSays, type HostError } from '../src-renderer/src/lib/i18n/translate';

const tiny = tinyDataset('tiny', 120, 24, 8);
const engineStatus = { state: 'ready' as const, pid: 1, reason: null, restarts: 0, hello: null, since: 0 };

/** What a failed call or event carries, checked as the renderer receives it: a known code whose English is the message. */
function coded<E extends HostError | ApiError>(error: E): E {
  expect(isEngineText(error.text), JSON.stringify(error)).toBe(true);
  expect(englishText(error.text!)).toBe(error.message);
  expect(errorSays(en, error)).toBe(error.message);
  return error;
}

function failure(envelope: unknown): ApiError {
  expect(envelope).toMatchObject({ ok: false });
  return (envelope as { ok: false; error: ApiError }).error;
}

describe("main's datasets service, through the API envelope, in Korean", () => {
  let cache: string;
  let uploads: string;
  let mirror: TestMirror;
  let api: DatasetApi;
  let dispatch: Dispatch;

  function build(options: { mirrors: string[]; freeBytes?: () => Promise<number>; catalogue?: boolean }): void {
    const catalogue: Record<string, CatalogueEntry> = options.catalogue
      ? { mnist: { ...CATALOGUE.mnist, mirrors: options.mirrors } }
      : { tiny: { ...tiny.entry, mirrors: options.mirrors } };
    const service = new DatasetService({
      cacheDir: cache, catalogue, env: {}, stallMs: 250, retries: 1, backoffMs: 10, freeBytes: options.freeBytes,
    });
    api = new DatasetApi({ service, uploadDir: uploads });
    dispatch = createDispatcher(createApiHandlers({ host: 'web', dataDir: cache, engineStatus: () => engineStatus, datasets: api.handlers }));
  }

  const card = async (name: string): Promise<DatasetInfo> => {
    const list = (await dispatch('listDatasets', [])) as { ok: true; value: DatasetList };
    return list.value.datasets.find((d) => d.name === name)!;
  };

  beforeEach(async () => {
    cache = mkdtempSync(join(tmpdir(), 'layerlab-errors-i18n-'));
    uploads = mkdtempSync(join(tmpdir(), 'layerlab-errors-i18n-up-'));
    mirror = await startMirror(tiny.files);
  });
  afterEach(async () => {
    await api.dispose();
    await mirror.close();
    rmSync(cache, { recursive: true, force: true });
    rmSync(uploads, { recursive: true, force: true });
  });

  it("an offline machine: the card says so in Korean, naming the dataset in Korean, the mirrors' answers kept as they came", async () => {
    const [a, b] = [await deadUrl(), await deadUrl()];
    build({ mirrors: [a, b], catalogue: true });
    const error = coded(failure(await dispatch('fetchDataset', ['mnist'])));
    expect(error.code).toBe('offline');
    const files = 'train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz';
    expect(errorSays(ko, error)).toBe(
      `MNIST 손글씨 숫자을(를) 내려받지 못했습니다: 미러 2곳 중 어디에도 연결하지 못했습니다. 이 컴퓨터가 오프라인이라면 가져오기로 디스크에서 IDX 파일 네 개(${files})를 불러오세요.`,
    );
    // The card after a reload (main remembers the failure) carries the same code and each mirror's own answer.
    const problem = (await card('mnist')).error!;
    expect(problem).toMatchObject({ code: 'offline', message: error.message, text: error.text });
    expect(problem.details).toEqual([`${a}: ECONNREFUSED`, `${b}: ECONNREFUSED`]);
  });

  it('a connection cut every time: given up on after the retries, said in Korean, the cut in the details', async () => {
    build({ mirrors: [mirror.url('m')] });
    mirror.fault = () => 'cut';
    const error = coded(failure(await dispatch('fetchDataset', ['tiny'])));
    expect(errorSays(ko, error)).toMatch(/^Tiny tiny을\(를\) 내려받지 못했습니다: 미러 1곳에 연결하지 못했습니다\. 이 컴퓨터가 오프라인이라면/);
    // The call's own answer carries the mirrors' reasons too, the same as the card's.
    expect(error.details).toEqual((await card('tiny')).error!.details);
    expect((await card('tiny')).error!.details).toEqual([expect.stringMatching(/\/m\/: gave up after 2 tries: \S/)]);
  });

  it('every mirror serving wrong bytes: the checksum sentence in Korean', async () => {
    build({ mirrors: [mirror.url('a'), mirror.url('b')] });
    mirror.fault = () => 'wrong';
    const error = coded(failure(await dispatch('fetchDataset', ['tiny'])));
    expect(error.code).toBe('checksum');
    expect(errorSays(ko, error)).toBe(`모든 미러가 보낸 ${tiny.entry.files[0].name}의 SHA-256이 카탈로그와 맞지 않습니다.`);
  });

  it('a full disk: how much is needed and free, in Korean', async () => {
    build({ mirrors: [mirror.url('m')], freeBytes: async () => 1_000 });
    const error = coded(failure(await dispatch('fetchDataset', ['tiny'])));
    expect(error.code).toBe('disk-full');
    expect(errorSays(ko, error)).toMatch(
      /^디스크가 가득 찼습니다: Tiny tiny에는 .+에 0\.0 MB의 여유 공간이 더 필요한데, 남은 공간은 0\.0 MB입니다\. 공간을 확보하거나 다른 캐시 폴더를 고른 뒤 다시 내려받으세요\.$/,
    );
  });

  it("a damaged file in the cache: the samples' error says which, in Korean, zlib's own words kept", async () => {
    build({ mirrors: [mirror.url('m')] });
    expect(await dispatch('fetchDataset', ['tiny'])).toMatchObject({ ok: true });
    // Bit rot in place: same size, so the cheap start-up check passes, and the load finds it.
    const file = join(cache, 'tiny', tiny.entry.files[0].name);
    writeFileSync(file, Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.alloc(statSync(file).size - 2, 7)]));
    const error = coded(failure(await dispatch('getDatasetSamples', ['tiny'])));
    expect(error.code).toBe('corrupt');
    expect(errorSays(ko, error)).toMatch(new RegExp(`^${tiny.entry.files[0].name.replace(/\./g, '\\.')}: gzip 데이터가 손상되었습니다\\(.+\\)\\.$`));
    expect(errorSays(ko, error)).toContain(/\((.+)\)\.$/.exec(error.message)![1]);
  });

  it('an upload that is no IDX file, one that expired, and an image past the end: each in Korean', async () => {
    build({ mirrors: [mirror.url('m')] });
    const receipt = await dispatch('uploadDatasetFile', [{ uploadId: null, file: 'notes.txt', offset: 0, base64: Buffer.from('hello').toString('base64') }]);
    const { uploadId } = (receipt as { ok: true; value: { uploadId: string } }).value;
    const notIdx = coded(failure(await dispatch('importDataset', [{ source: 'upload', uploadId }])));
    expect(notIdx.code).toBe('invalid-import');
    expect(errorSays(ko, notIdx)).toMatch(/^IDX notes\.txt: bad magic: .+\. IDX 파일을 고르세요\(예: train-images-idx3-ubyte\.gz\)\.$/);

    const expired = coded(failure(await dispatch('importDataset', [{ source: 'upload', uploadId }])));
    expect(errorSays(ko, expired)).toBe('알 수 없거나 만료된 업로드입니다. 파일을 다시 고르세요.');

    expect(await dispatch('fetchDataset', ['tiny'])).toMatchObject({ ok: true });
    const past = coded(failure(await dispatch('getDatasetSamples', ['tiny', { split: 'test', start: 24, count: 1 }])));
    expect(errorSays(ko, past)).toBe('tiny의 test 분할에는 이미지가 24개(0..23) 있습니다. 24번 이미지는 없습니다.');
  });
});

describe("main's projects service, through the API envelope, in Korean", () => {
  it('a name another project holds, a project that is not there, a damaged file, and no file dialog', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'layerlab-projects-i18n-'));
    try {
      const dispatch = createDispatcher(createApiHandlers({ host: 'web', dataDir, engineStatus: () => engineStatus }));
      const project = makeProject(PRESETS.MLP, { ...DEFAULT_RUN, epochs: 1, seed: 0 });
      expect(await dispatch('saveProject', ['a/b', project])).toMatchObject({ ok: true });
      const taken = coded(failure(await dispatch('saveProject', ['a?b', project]))); // both are a_b.layerlab.json
      expect(taken.code).toBe('name-taken');
      expect(errorSays(ko, taken)).toBe(
        '"a?b"은(는) a_b.layerlab.json(으)로 저장되는데, 그 파일에는 프로젝트 "a/b"이(가) 있습니다. 다른 이름을 고르거나 "a/b"을(를) 열어 저장하세요.',
      );
      const missing = coded(failure(await dispatch('loadProject', ['LeNet'])));
      expect(errorSays(ko, missing)).toBe('"LeNet"이라는 프로젝트가 없습니다');
      writeFileSync(join(dataDir, 'projects', 'broken.layerlab.json'), '{ "name": "broken", ');
      const broken = coded(failure(await dispatch('loadProject', ['broken'])));
      expect(errorSays(ko, broken)).toMatch(/^프로젝트 "broken"을\(를\) 열 수 없습니다\(not-json: .+\)$/);
      const noDialog = coded(failure(await dispatch('importProjectFile', [])));
      expect(noDialog.code).toBe('unsupported');
      expect(errorSays(ko, noDialog)).toBe('이 호스트에는 파일 대화 상자가 없어, 페이지가 내려받기와 올리기로 대신합니다.');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("main's weights service, through the API envelope, in Korean", () => {
  it('a checkpoint asked of a run that is not there, and a weights file too large to load', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'layerlab-weights-i18n-'));
    try {
      const dispatch = createDispatcher(createApiHandlers({ host: 'web', dataDir, engineStatus: () => engineStatus }));
      const missing = coded(failure(await dispatch('readRunWeights', [{ runId: '20260101-000000-gone', checkpoint: 'last', offset: 0 }])));
      expect(errorSays(ko, missing)).toBe('실행 20260101-000000-gone이(가) 없습니다.');
      const big = coded(failure(await dispatch('uploadWeights', [{ uploadId: null, fileName: 'huge.safetensors', size: 2 ** 40, offset: 0, base64: '' }])));
      expect(big.code).toBe('too-large');
      expect(errorSays(ko, big)).toMatch(/^huge\.safetensors은\(는\) 1048576 MB입니다\. LayerLab은 [\d.]+ MB까지의 가중치 파일만 불러옵니다\.$/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe("the engine host's refusals, through the engine protocol, in Korean", () => {
  const root = mkdtempSync(join(tmpdir(), 'layerlab-engine-errors-i18n-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** A run manager whose main hands over `data`, as main's runs service does. */
  function manager(data: TrainingDataset) {
    const events: EngineEvent[] = [];
    const renderer: TrainingPeer = { id: 'r1', send: (e) => events.push(e) };
    let runs!: RunManager;
    const main: TrainingPeer = {
      id: 'main',
      send: (e) => {
        if (e.type === 'dataset-request') setImmediate(() => void runs.handle(main, { type: 'dataset', requestId: e.requestId, dataset: data }));
      },
    };
    runs = new RunManager({ main, renderers: () => [renderer], backendChanged: () => undefined });
    const errors = () => events.filter((e): e is Extract<EngineEvent, { type: 'error' }> => e.type === 'error');
    return { runs, main, renderer, events, errors };
  }

  it('a model whose Input does not fit the images, then Predict, Runs and the gallery asking for runs that cannot answer', async () => {
    const mirror = await startMirror(tiny.files);
    const cache = join(root, 'cache');
    const service = new DatasetService({ cacheDir: cache, catalogue: { tiny: { ...tiny.entry, mirrors: [mirror.url('m')] } }, env: {} });
    await service.fetch('tiny');
    const { name, classes, train, test, split } = await service.load('tiny');
    await mirror.close();
    const h = manager({ name, classes, train, test, split });
    const runsDir = join(root, 'runs');
    await h.runs.handle(h.main, { type: 'configure', runsDir });

    // Mnist_Logistic takes 28×28 = 784 values; tiny's images are 8×8.
    await h.runs.handle(h.renderer, { type: 'run-start', spec: { ...PRESETS.Mnist_Logistic, data: { ...PRESETS.Mnist_Logistic.data, validationSize: 12 } }, options: { epochs: 1 } });
    const [start] = h.errors();
    expect(errorSays(ko, coded(start))).toBe('tiny 이미지는 8×8(64개 값)인데 모델의 Input은 [784]을(를) 받습니다. Input 모양을 바꾸세요');
    const failed = h.events.filter((e): e is Extract<EngineEvent, { type: 'run-state' }> => e.type === 'run-state').at(-1)!.run;
    expect(failed).toMatchObject({ state: 'failed', reason: start.message, reasonText: [start.text] });

    // Predict with that run: it failed before its first checkpoint.
    await h.runs.handle(h.renderer, { type: 'predict', requestId: 7, runId: failed.id, image: new Array(784).fill(0) });
    expect(errorSays(ko, coded(h.errors()[1]))).toBe(`실행 ${failed.id}에는 최신 가중치의 체크포인트가 없습니다`);
    // The Runs page comparing a run that was deleted meanwhile, and the gallery asking a run never evaluated.
    await h.runs.handle(h.renderer, { type: 'runs-compare', requestId: 8, runIds: ['20260101-000000-gone'] });
    expect(errorSays(ko, coded(h.errors()[2]))).toBe('실행 20260101-000000-gone이(가) 없습니다');
    await h.runs.handle(h.renderer, { type: 'run-examples', requestId: 9, runId: failed.id, split: 'test', offset: 0, limit: 8 });
    expect(errorSays(ko, coded(h.errors()[3]))).toBe(`실행 ${failed.id}의 테스트 세트 평가가 메모리에 없습니다. 먼저 평가하세요(run-evaluate)`);

    // A model too big for this machine: refused before anything is built, the change that would fit it nested.
    await h.runs.handle(h.renderer, { type: 'run-start', spec: { ...PRESETS.Mnist_Logistic, data: { ...PRESETS.Mnist_Logistic.data, batchSize: 1_000_000_000 } } });
    expect(errorSays(ko, coded(h.errors()[4]))).toMatch(
      /^이 모델을 학습하려면 약 [\d.]+ GB이\(가\) 필요합니다\(.+\)\. 이 컴퓨터에서 LayerLab이 쓸 수 있는 [\d.]+ GB\(메모리의 절반\)보다 많습니다\. 학습하려면 배치 크기를 줄이거나\(지금 1,000,000,000\) 출력이 가장 큰 층을 줄이세요\(.+\)\.$/,
    );

    // Pause clicked as the run ended: the run's state worded too.
    await h.runs.handle(h.renderer, { type: 'run-pause', runId: failed.id });
    expect(errorSays(ko, coded(h.errors()[5]))).toBe(`실행 ${failed.id}은(는) 일시 정지할 수 없습니다: 실패함 상태입니다`);

    // An error nobody gave a code (a backend this engine lacks: the UI offers only its own): its words, framed in Korean.
    await h.runs.handle(h.renderer, { type: 'run-start', spec: PRESETS.Mnist_Logistic, options: { backend: 'quantum' } });
    const uncoded = h.errors()[6];
    expect(uncoded.text).toBeUndefined();
    expect(errorSays(ko, uncoded)).toMatch(/^엔진이 이 일을 하지 못했습니다: there is no backend 'quantum' in this engine \(available: auto, .+\)$/);
    expect(errorSays(ko, uncoded, 'error.frame.run')).toMatch(/^엔진이 이 실행을 멈췄습니다: there is no backend 'quantum'/);
  });

  it("the lesson refuses MNIST that is not 28×28, nested in its 'could not load MNIST' sentence", async () => {
    const events: EngineEvent[] = [];
    // An "MNIST" on disk whose images are 8×8: the lesson's own check, after main's service loaded it whole.
    const small = tinyDataset('mnist', 20, 10, 8);
    const mirror = await startMirror(small.files);
    const service = new DatasetService({ cacheDir: join(root, 'lesson'), catalogue: { mnist: { ...small.entry, mirrors: [mirror.url('m')] } }, env: {} });
    await service.fetch('mnist');
    await mirror.close();
    const { name, classes, train, test, split } = await service.load('mnist');
    const lesson = new LessonRunner(async () => ({ name, classes, train, test, split }));
    await lesson.handle({ id: 'r1', send: (e) => events.push(e) }, { type: 'lesson-run', requestId: 1, step: 'data' });
    const error = events.find((e): e is Extract<EngineEvent, { type: 'error' }> => e.type === 'error')!;
    expect(errorSays(ko, coded(error))).toBe(
      '레슨 단계 data: 레슨은 MNIST로 실행하는데 MNIST를 불러오지 못했습니다(레슨에는 28×28 MNIST 이미지가 필요한데 8×8입니다). 데이터 탭에서 내려받으세요',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { en } from './en';
import { ko } from './ko';
import { ENGINE_TEXT, engineText, englishText } from '../../../../common/engine-text';
import { CATALOGS, engineSays, errorSays, format, pickLocale } from './translate';

const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('catalogs', () => {
  it('have the same keys in every locale', () => {
    expect(Object.keys(ko).sort()).toEqual(Object.keys(en).sort());
  });

  it('have no empty messages', () => {
    for (const [locale, catalog] of Object.entries(CATALOGS)) {
      for (const [key, message] of Object.entries(catalog)) {
        expect(message.trim(), `${locale}:${key}`).not.toBe('');
      }
    }
  });

  it('use the same parameters in every locale', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(ko[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('keep the English engine state words the DOM contract relies on', () => {
    expect([en['engine.state.starting'], en['engine.state.ready'], en['engine.state.restarting'], en['engine.state.failed']])
      .toEqual(['Starting', 'Ready', 'Restarting', 'Failed']);
  });
});

describe('format', () => {
  it('fills parameters and leaves unknown ones visible', () => {
    expect(format('{state}: {reason}', { state: 'Failed', reason: 'exit 1' })).toBe('Failed: exit 1');
    expect(format('{count}×', { count: 2 })).toBe('2×');
    expect(format('hi {who}')).toBe('hi {who}');
  });
});

describe('pickLocale', () => {
  it('prefers ?lang, then the browser languages, then English', () => {
    expect(pickLocale('?lang=ko', ['en-US'])).toBe('ko');
    expect(pickLocale('?token=x&lang=en', ['ko-KR'])).toBe('en');
    expect(pickLocale('?lang=fr', ['ko-KR', 'en'])).toBe('ko');
    expect(pickLocale('', ['fr-FR', 'en-GB'])).toBe('en');
    expect(pickLocale('', ['fr-FR'])).toBe('en');
    expect(pickLocale('', [])).toBe('en');
  });
});

describe('engine sentences', () => {
  const diverged = engineText('diverged.batch.tooLarge', { epoch: 2, batch: 7, loss: '48.12', factor: 10, firstLoss: '2.303' });

  it('are all in every catalog, English taken from the engine\'s own templates', () => {
    for (const code of Object.keys(ENGINE_TEXT) as (keyof typeof ENGINE_TEXT)[]) {
      expect(en[`engineText.${code}`]).toBe(ENGINE_TEXT[code]);
      expect(ko[`engineText.${code}`]).not.toBe(ENGINE_TEXT[code]);
    }
  });

  it('are worded in the learner\'s language from their codes, the same as the engine host says them in English', () => {
    expect(engineSays(en, [diverged], 'ignored')).toBe(englishText(diverged));
    expect(engineSays(ko, [diverged], 'ignored')).toBe(
      '에포크 2, 배치 7에서 학습이 발산했습니다: 손실이 48.12에 이르러 처음 값(2.303)의 10배를 넘었습니다. 실행을 멈추고 마지막 정상 체크포인트를 복원했습니다.',
    );
    const stopped = engineText('reason.stoppedByUser', {});
    expect(engineSays(ko, [diverged, stopped], '')).toMatch(/복원했습니다\. 사용자가 멈췄습니다$/);
  });

  it("word the host's notes in Korean: a custom dataset, a backend's probe, a backend that failed mid-run", () => {
    const custom = engineText('dataset.custom.withTest', { train: 50, height: 6, width: 6, test: 10, classes: 10, maxLabel: 9 });
    expect(engineSays(en, [custom], '')).toBe(englishText(custom));
    expect(engineSays(ko, [custom], '')).toBe(
      '사용자 데이터셋: 알려진 MNIST/Fashion-MNIST 파일이 아니어서 IDX 헤더와 개수만 확인했습니다: 학습 이미지 50개 6×6, 테스트 이미지 10개, 클래스 10개 (0–9).',
    );
    expect(engineSays(ko, [engineText('backend.ok.threads', { threads: 2 })], '')).toBe('사용 가능 (스레드 2개)');
    const software = engineText('backend.adapter.software', { name: engineText('backend.adapter.unnamed', {}) });
    expect(engineSays(ko, [engineText('backend.unavailable.softwareAdapter', { adapter: software })], '')).toBe(
      '사용 불가 (Dawn의 유일한 어댑터가 이름 없는 어댑터 (소프트웨어)입니다: CPU 위의 WebGPU라 wasm 백엔드보다 느립니다)',
    );
    const notes = [engineText('backend.note.notHere', { backend: 'wasm' }), engineText('backend.note.fellBack', { backend: 'gpujs-webgpu', error: 'device lost', batch: 3, epoch: 2 })];
    expect(engineSays(ko, notes, '', '; ')).toBe(
      "이 실행이 요청한 백엔드 'wasm'을(를) 여기서 쓸 수 없어, 측정해서 가장 빠른 백엔드를 씁니다; gpujs-webgpu 백엔드가 실패했습니다(device lost). 에포크 2의 배치 3부터 CPU에서 학습을 이어 가며, 잃은 것은 없습니다",
    );
  });

  it("word the Learn tab's refusals from their codes: a run that holds the engine, MNIST not on disk", () => {
    const waits = engineText('lesson.waitsForRun.running', { id: 'r1', name: 'MLP' });
    expect(engineSays(en, [waits], '')).toBe('lesson-run: run r1 ("MLP") is running; the lesson waits until it is paused, stopped or done');
    expect(engineSays(ko, [waits], '')).toBe('실행 r1("MLP")이(가) 학습 중입니다. 레슨은 그 실행이 일시 정지되거나, 멈추거나, 끝날 때까지 기다립니다');
    const noMnist = engineText('lesson.noMnist', { step: 'data', message: 'mnist: the trainImages file is missing' });
    expect(engineSays(ko, [noMnist], '')).toMatch(/^레슨 단계 data: .*\(mnist: the trainImages file is missing\)\. 데이터 탭에서 내려받으세요$/);
  });

  it("word a dataset that is not on disk whole, its files' states and the sentence that nests it, in both languages", () => {
    const notReady = engineText('dataset.notReady', {
      name: 'mnist',
      files: [
        engineText('dataset.file.missing', { file: 'train-images-idx3-ubyte.gz' }),
        engineText('dataset.file.truncated', { file: 't10k-images-idx3-ubyte.gz' }),
        engineText('dataset.file.corrupt', { file: 't10k-labels-idx1-ubyte.gz' }),
      ],
    });
    const english = 'mnist is not ready (train-images-idx3-ubyte.gz missing, t10k-images-idx3-ubyte.gz truncated, '
      + 't10k-labels-idx1-ubyte.gz corrupt). Download it, or import the IDX files.';
    expect(englishText(notReady)).toBe(english);
    expect(engineSays(en, [notReady], 'ignored')).toBe(english);
    const korean = 'mnist 데이터셋이 준비되지 않았습니다(train-images-idx3-ubyte.gz 없음, t10k-images-idx3-ubyte.gz 일부만 있음, '
      + 't10k-labels-idx1-ubyte.gz 손상됨). 내려받거나 IDX 파일을 가져오세요.';
    expect(engineSays(ko, [notReady], english)).toBe(korean);
    // Nested in the Learn tab's refusal and in a failed run's reason, it is worded from its codes there too.
    const noMnist = engineText('lesson.noMnist', { step: 'data', message: notReady });
    expect(engineSays(en, [noMnist], '')).toBe(englishText(noMnist));
    expect(engineSays(ko, [noMnist], '')).toBe(`레슨 단계 data: 레슨은 MNIST로 실행하는데 MNIST를 불러오지 못했습니다(${korean}). 데이터 탭에서 내려받으세요`);
  });

  it('fall back to the English that came with them from an older run, or an unknown code', () => {
    expect(engineSays(ko, undefined, 'stopped by the user')).toBe('stopped by the user');
    expect(engineSays(ko, [], 'stopped by the user')).toBe('stopped by the user');
    expect(engineSays(ko, [{ code: 'from.the.future', params: {} } as never], 'as sent')).toBe('as sent');
    // An unknown code nested in a known one is unknown too: the whole sentence comes as sent.
    const nested = { code: 'lesson.noMnist', params: { step: 'data', message: { code: 'from.the.future', params: {} } } };
    expect(engineSays(ko, [nested as never], 'as sent')).toBe('as sent');
  });
});

describe('host errors', () => {
  it('are worded from their code, a run state nested in them too', () => {
    const busy = engineText('run.busy', { id: 'r1', name: 'MLP', state: engineText('runState.paused', {}), epoch: 2, epochs: 5 });
    const error = { message: englishText(busy), text: busy };
    expect(errorSays(en, error)).toBe('run r1 ("MLP") is paused at epoch 2 of 5; LayerLab trains one run at a time, so stop it first');
    expect(errorSays(ko, error)).toBe('실행 r1("MLP")이(가) 에포크 2/5에서 일시 정지됨 상태입니다. LayerLab은 한 번에 한 실행만 학습하니 먼저 그 실행을 멈추세요');
  });

  it('without a code, or with one this renderer does not know, keep their own words inside a sentence of the language', () => {
    expect(errorSays(ko, { message: 'Conv2d: bad stride' })).toBe('엔진이 이 일을 하지 못했습니다: Conv2d: bad stride');
    expect(errorSays(en, { message: 'Conv2d: bad stride' }, 'error.frame.run')).toBe('The engine stopped this run: Conv2d: bad stride');
    expect(errorSays(ko, { message: 'as sent', text: { code: 'from.the.future', params: {} } as never }, 'error.frame.main'))
      .toBe('LayerLab이 이 일을 하지 못했습니다: as sent');
  });
});

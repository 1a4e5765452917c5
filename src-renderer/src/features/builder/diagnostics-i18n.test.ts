import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES, DIAGNOSTIC_TEXT, inferShapes, lintSpec, validateSpec, type ModelSpec } from '../../../../common/model-spec';
import { en } from '../../lib/i18n/en';
import { ko } from '../../lib/i18n/ko';
import { CATALOGS, format, type Locale } from '../../lib/i18n/translate';
import { diagnosticKey, translateDiagnostic, translateFix, type Translate } from './diagnostics-i18n';
import { appendAfter, emptySpec, setParam } from './graph-edit';

const translator = (locale: Locale) =>
  ((key: string, params?: Record<string, string | number>) => format((CATALOGS[locale] as Record<string, string>)[key], params)) as unknown as Translate;
const logistic = () => appendAfter(appendAfter(emptySpec(), 'Flatten').spec, 'Linear').spec;

describe('diagnostics through i18n', () => {
  it('every common/model-spec code has its English entry from DIAGNOSTIC_TEXT and a Korean one, and no other diag key exists', () => {
    const enTable = en as Record<string, string>, koTable = ko as Record<string, string>;
    for (const code of DIAGNOSTIC_CODES) {
      expect(enTable[diagnosticKey(code)], code).toBe(DIAGNOSTIC_TEXT[code]);
      expect(koTable[diagnosticKey(code)], code).toBeTruthy();
    }
    expect(Object.keys(en).filter((k) => k.startsWith('diag.')).sort()).toEqual(DIAGNOSTIC_CODES.map(diagnosticKey).sort());
    expect(Object.keys(ko).filter((k) => k.startsWith('diag.')).sort()).toEqual(DIAGNOSTIC_CODES.map(diagnosticKey).sort());
  });

  it('English reads exactly as common/model-spec messages; Korean translates the misfit and its fix', () => {
    const bad = setParam(logistic(), 'fc1', 'inFeatures', 100);
    const issue = inferShapes(bad).error!;
    expect(translateDiagnostic(translator('en'), issue)).toBe(issue.message);
    expect(translateFix(translator('en'), issue)).toBe('set in_features of fc1 to 784');
    expect(translateDiagnostic(translator('ko'), issue)).toBe('fc1 (Linear): in_features는 100이지만 입력 [N, 784]의 마지막 차원은 784입니다');
    expect(translateFix(translator('ko'), issue)).toBe('fc1의 in_features를 784(으)로 설정하세요');
  });

  it('translates nested phrases: a validation error with its node and problem, a lint warning', () => {
    const bad = setParam(logistic(), 'fc1', 'outFeatures', 0) as ModelSpec;
    const [error] = validateSpec(bad);
    expect(translateDiagnostic(translator('en'), error)).toBe(error.message);
    expect(translateDiagnostic(translator('ko'), error)).toBe('노드 "fc1" (Linear): out_features ≥ 1인 정수여야 합니다 (받은 값: 0)');
    const softmax = appendAfter(logistic(), 'Softmax').spec;
    const [warning] = lintSpec(softmax);
    expect(translateDiagnostic(translator('en'), warning)).toBe(warning.message);
    expect(translateDiagnostic(translator('ko'), warning)).toMatch(/^softmax1 \(Softmax\)의 출력이 CrossEntropyLoss로/);
  });
});

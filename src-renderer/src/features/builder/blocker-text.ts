/** A train blocker (summary.ts) in the current locale: the one line beside a disabled Train button. */
import { translateDiagnostic, translateFix, type Translate } from './diagnostics-i18n';
import type { Blocker } from './summary';

export function blockerText(translate: Translate, blocker: Blocker): string {
  const t = translate as unknown as (key: string, params?: Record<string, string>) => string;
  switch (blocker.kind) {
    case 'empty': return t('builder.train.empty');
    case 'shape': return t('builder.train.shape', { message: translateDiagnostic(translate, blocker.issue), fix: translateFix(translate, blocker.issue) });
    case 'spec': return t('builder.train.spec', { message: translateDiagnostic(translate, blocker.error) });
    case 'field': {
      const { field, text, problem } = blocker.edit;
      return t('builder.train.field', { field, text, problem: translateDiagnostic(translate, problem) });
    }
  }
}

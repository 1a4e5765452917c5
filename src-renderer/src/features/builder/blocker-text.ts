/** A train blocker (summary.ts) in the current locale: the one line beside a disabled Train button. */
import { translateDiagnostic, translateFix, type Translate } from './diagnostics-i18n';
import type { Diagnostic } from '../../../../common/model-spec';
import type { Blocker } from './summary';

export function blockerText(translate: Translate, blocker: Blocker): string {
  const t = translate as unknown as (key: string, params?: Record<string, string>) => string;
  // The line ends its clauses itself: a diagnostic that is a whole sentence brings its own full stop.
  const clause = (d: Diagnostic) => withoutFullStop(translateDiagnostic(translate, d));
  switch (blocker.kind) {
    case 'empty': return t('builder.train.empty');
    case 'shape': return t('builder.train.shape', { message: clause(blocker.issue), fix: withoutFullStop(translateFix(translate, blocker.issue)) });
    case 'spec': return t('builder.train.spec', { message: clause(blocker.error) });
    case 'field': {
      const { field, text, problem } = blocker.edit;
      return t('builder.train.field', { field, text, problem: clause(problem) });
    }
  }
}

const withoutFullStop = (text: string): string => text.replace(/\.\s*$/, '');

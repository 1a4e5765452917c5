/**
 * common/spec's diagnostics (validation errors, shape misfits and their fixes, lint warnings, a field's problem)
 * through the i18n catalog: code `set-in-features` → key `diag.set-in-features`, nested phrases translated first.
 * The English entries repeat DIAGNOSTIC_TEXT word for word (a test keeps them in step), so English reads exactly
 * as the CLI's messages do.
 */
import { DIAGNOSTIC_TEXT, renderDiagnostic, type Diagnostic, type DiagnosticCode, type ShapeIssue } from '../../../../common/spec';
import { en } from '../../lib/i18n/en';

/** i18n's t(), or any function of a key and params. */
export type Translate = (key: never, params?: never) => string;

export const diagnosticKey = (code: DiagnosticCode): string => `diag.${code}`;

/**
 * The diagnostic in the current locale. A code without a catalog entry (a new one not yet translated) falls back
 * to common/spec's English rather than showing a key.
 */
export function translateDiagnostic(translate: Translate, d: Diagnostic): string {
  const t = translate as unknown as (key: string) => string;
  return renderDiagnostic(d, (code) => (Object.hasOwn(en, diagnosticKey(code)) ? t(diagnosticKey(code)) : DIAGNOSTIC_TEXT[code]));
}

/** A misfit's fix in the current locale. */
export function translateFix(translate: Translate, issue: Pick<ShapeIssue, 'fixCode' | 'fixParams'>): string {
  return translateDiagnostic(translate, { code: issue.fixCode, params: issue.fixParams });
}

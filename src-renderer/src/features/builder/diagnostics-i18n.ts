/**
 * common/model-spec's diagnostics (validation errors, shape misfits and their fixes, lint warnings, a field's problem)
 * through the i18n catalog: code `set-in-features` → key `diag.set-in-features`, nested phrases translated first.
 * The English entries are DIAGNOSTIC_TEXT itself (en.ts spreads it in), so English reads exactly as the CLI's
 * messages do; ko.ts words each code by hand, and its type makes a missing one an error.
 */
import { renderDiagnostic, type Diagnostic, type DiagnosticCode, type ShapeIssue } from '../../../../common/model-spec';

/** i18n's t(), or any function of a key and params. */
export type Translate = (key: never, params?: never) => string;

export const diagnosticKey = (code: DiagnosticCode): string => `diag.${code}`;

/** The diagnostic in the current locale. */
export function translateDiagnostic(translate: Translate, d: Diagnostic): string {
  const t = translate as unknown as (key: string) => string;
  return renderDiagnostic(d, (code) => t(diagnosticKey(code)));
}

/** A misfit's fix in the current locale. */
export function translateFix(translate: Translate, issue: Pick<ShapeIssue, 'fixCode' | 'fixParams'>): string {
  return translateDiagnostic(translate, { code: issue.fixCode, params: issue.fixParams });
}

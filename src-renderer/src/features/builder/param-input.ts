/**
 * Text ↔ param value for the properties panel's fields, and the inline check: '3' and '3, 5' for kernel_size,
 * '0.9, 0.999' for betas, '1, 28, 28' for a shape, 'same' for a conv's padding; an empty field means the default (or
 * None where allowed).
 */
import { paramProblem, renderDiagnostic, type Diagnostic, type ParamInfo, type ParamValue } from '../../../../common/model-spec';

export function formatParam(value: ParamValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

/** `problem` is the English text, `diagnostic` the same for translateDiagnostic (diagnostics-i18n.ts). */
export type Parsed = { ok: true; value: ParamValue | undefined } | { ok: false; problem: string; diagnostic: Diagnostic };

/**
 * `undefined` means "use the default" (the param is dropped from the spec). The problem text is the validator's
 * own ('must be an integer ≥ 1'), so the panel and validateSpec never disagree.
 */
export function parseParam(info: ParamInfo, text: string): Parsed {
  const raw = text.trim();
  let value: ParamValue | undefined;
  const word = raw.replace(/^(['"])(.*)\1$/, '$2');
  if (raw === '') value = info.nullable ? null : info.required ? null : undefined;
  // A word a number param takes (padding 'same'), typed with or without Python's quotes.
  else if (info.type !== 'enum' && info.options?.includes(word)) value = word;
  else if (info.type === 'int' || info.type === 'float') value = toNumber(raw);
  else if (info.type === 'int2') value = raw.includes(',') ? list(raw) : toNumber(raw);
  else if (info.type === 'float2' || info.type === 'ints' || info.type === 'shape' || info.type === 'floats') value = list(raw);
  else if (info.type === 'bool') value = raw === 'true';
  else value = raw;
  if (value === undefined) return { ok: true, value };
  const problem = paramProblem(info, value);
  return problem ? { ok: false, problem: renderDiagnostic(problem), diagnostic: problem } : { ok: true, value };
}

function toNumber(raw: string): number {
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw) ? Number(raw) : Number.NaN;
}

function list(raw: string): number[] {
  return raw.replace(/^[[(]|[\])]$/g, '').split(',').map((part) => toNumber(part.trim()));
}

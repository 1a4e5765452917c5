/**
 * The command palette's commands, for building with the keyboard alone: "add Linear after the selected node",
 * "set out_features 128" (a param of the selected node, or lr and friends of the optimizer and loss), loss,
 * optimizer, presets, delete, auto-layout, undo and redo. Labels are translated by the caller (`labelOf`), so the
 * search matches what the user reads; the English op and torch names always match too.
 */
import {
  LOSS_CATALOGUE, LOSSES, OP_CATALOGUE, OPTIMIZER_CATALOGUE, OPTIMIZERS, PRESET_NAMES,
  type LossName, type ModelSpec, type OpName, type OptimizerName, type ParamInfo,
} from '../../../../common/model-spec';
import { PALETTE } from './palette';

export type ParamTarget = 'node' | 'loss' | 'optimizer';

export type CommandAction =
  | { type: 'add'; op: OpName }
  | { type: 'delete' }
  | { type: 'set'; target: ParamTarget; name: string; torchName: string; text: string }
  | { type: 'loss'; name: LossName }
  | { type: 'optimizer'; name: OptimizerName }
  | { type: 'preset'; name: string }
  | { type: 'layout' | 'undo' | 'redo' | 'new' };

export interface Command {
  id: string;
  action: CommandAction;
  /** Extra words the search matches (op and torch names). */
  keywords: string;
}

const ADDABLE = PALETTE.flatMap((g) => g.items).filter((i) => i.kind === 'op').map((i) => i.name as OpName);

export function allCommands(): Command[] {
  return [
    ...ADDABLE.map((op): Command => ({ id: `add:${op}`, action: { type: 'add', op }, keywords: `add ${op} ${OP_CATALOGUE[op].torch}` })),
    { id: 'delete', action: { type: 'delete' }, keywords: 'delete remove' },
    ...LOSSES.map((name): Command => ({ id: `loss:${name}`, action: { type: 'loss', name }, keywords: `loss ${name}` })),
    ...OPTIMIZERS.map((name): Command => ({ id: `optimizer:${name}`, action: { type: 'optimizer', name }, keywords: `optimizer ${name}` })),
    ...PRESET_NAMES.map((name): Command => ({ id: `preset:${name}`, action: { type: 'preset', name }, keywords: `preset ${name}` })),
    { id: 'layout', action: { type: 'layout' }, keywords: 'layout arrange' },
    { id: 'undo', action: { type: 'undo' }, keywords: 'undo' },
    { id: 'redo', action: { type: 'redo' }, keywords: 'redo' },
    { id: 'new', action: { type: 'new' }, keywords: 'new clear' },
  ];
}

/** The params "set NAME VALUE" can reach: the selected node's, then the optimizer's, then the loss's. */
function settable(spec: ModelSpec, selected: string | null): { target: ParamTarget; info: ParamInfo }[] {
  const node = spec.nodes.find((n) => n.id === selected);
  return [
    ...(node ? OP_CATALOGUE[node.op].params.map((info) => ({ target: 'node' as const, info })) : []),
    ...OPTIMIZER_CATALOGUE[spec.optimizer.type].params.map((info) => ({ target: 'optimizer' as const, info })),
    ...LOSS_CATALOGUE[spec.loss.type].params.map((info) => ({ target: 'loss' as const, info })),
  ];
}

/** 'set out_features 128', 'out_features=128', 'lr to 0.5' → a set command, when the name is one we can reach. */
export function parseSet(query: string, spec: ModelSpec, selected: string | null): Command | null {
  const match = /^(?:set\s+)?([A-Za-z_]+)\s*(?:=|\s+to\s+|\s+)\s*(\S.*)$/i.exec(query.trim());
  if (!match) return null;
  const [, name, text] = match;
  const hit = settable(spec, selected).find(({ info }) => info.torchName.toLowerCase() === name.toLowerCase());
  if (!hit) return null;
  return {
    id: `set:${hit.target}:${hit.info.name}`,
    action: { type: 'set', target: hit.target, name: hit.info.name, torchName: hit.info.torchName, text: text.trim() },
    keywords: query,
  };
}

/**
 * Commands matching every word of the query, best first: a parsed "set" command, then labels that start with the
 * query, then the rest in list order.
 */
export function searchCommands(query: string, spec: ModelSpec, selected: string | null, labelOf: (c: Command) => string): Command[] {
  const set = parseSet(query, spec, selected);
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const scored = allCommands()
    .map((c) => ({ c, text: `${labelOf(c)} ${c.keywords}`.toLowerCase() }))
    .filter(({ text }) => words.every((w) => text.includes(w)))
    .map(({ c }, index) => ({ c, rank: exactName(c, words) ? 0 : 1, index }));
  scored.sort((a, b) => a.rank - b.rank || a.index - b.index);
  return [...(set ? [set] : []), ...scored.map((s) => s.c)];
}

/** "linear" or "add linear" names Linear exactly, so it beats LeakyReLU's help text. */
function exactName(c: Command, words: string[]): boolean {
  const name = 'op' in c.action ? c.action.op : 'name' in c.action ? c.action.name : '';
  return words.some((w) => w === name.toLowerCase());
}

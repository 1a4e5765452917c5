/**
 * The palette's groups, from the spec catalogue: data, layers, activations, losses and optimizers. Every item is
 * something to drag onto the canvas (or pick from the command palette); `search` filters by name and help text.
 */
import {
  DATASETS, LOSS_CATALOGUE, LOSSES, OP_CATALOGUE, OPS, OPTIMIZER_CATALOGUE, OPTIMIZERS,
  type DatasetName, type LossName, type OpName, type OptimizerName,
} from '../../../../common/model-spec';

export type PaletteItem =
  | { kind: 'op'; name: OpName; torch: string; help: string }
  | { kind: 'loss'; name: LossName; torch: string; help: string }
  | { kind: 'optimizer'; name: OptimizerName; torch: string; help: string }
  | { kind: 'dataset'; name: DatasetName; torch: string; help: string };

export type PaletteGroupId = 'data' | 'layers' | 'activations' | 'losses' | 'optimizers';

export interface PaletteGroup {
  id: PaletteGroupId;
  items: PaletteItem[];
}

/** The ops offered, in the catalogue's order: activations in their own group, every other op (merges too) a layer. */
const offered = OPS.filter((name) => OP_CATALOGUE[name].palette !== false);
const LAYERS = offered.filter((name) => OP_CATALOGUE[name].category !== 'activation');
const ACTIVATIONS = offered.filter((name) => OP_CATALOGUE[name].category === 'activation');

const op = (name: OpName): PaletteItem => ({ kind: 'op', name, torch: OP_CATALOGUE[name].torch, help: OP_CATALOGUE[name].help });

export const PALETTE: PaletteGroup[] = [
  { id: 'data', items: DATASETS.map((name) => ({ kind: 'dataset', name, torch: 'DataLoader', help: name })) },
  { id: 'layers', items: LAYERS.map(op) },
  { id: 'activations', items: ACTIVATIONS.map(op) },
  { id: 'losses', items: LOSSES.map((name) => ({ kind: 'loss', name, torch: LOSS_CATALOGUE[name].torch, help: LOSS_CATALOGUE[name].help })) },
  {
    id: 'optimizers',
    items: OPTIMIZERS.map((name) => ({ kind: 'optimizer', name, torch: OPTIMIZER_CATALOGUE[name].torch, help: OPTIMIZER_CATALOGUE[name].help })),
  },
];

/** Groups whose items match every word of the query (name, torch name or help), empty groups dropped. */
export function searchPalette(query: string, groups: readonly PaletteGroup[] = PALETTE): PaletteGroup[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...groups];
  return groups
    .map((g) => ({ ...g, items: g.items.filter((i) => words.every((w) => `${i.name} ${i.torch} ${i.help}`.toLowerCase().includes(w))) }))
    .filter((g) => g.items.length > 0);
}

/** The drag payload: 'op:Linear', 'loss:MSELoss', … (a custom MIME type carries it). */
export const DRAG_MIME = 'application/x-layerlab-item';

export function itemKey(item: PaletteItem): string {
  return `${item.kind}:${item.name}`;
}

export function itemFromKey(key: string): PaletteItem | null {
  for (const group of PALETTE) for (const item of group.items) if (itemKey(item) === key) return item;
  return null;
}

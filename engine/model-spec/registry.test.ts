import { describe, expect, it } from 'vitest';
import { LOSS_CATALOGUE, OP_CATALOGUE, OPTIMIZER_CATALOGUE, SCHEDULER_CATALOGUE } from '../../common/model-spec/index';
import { LAYER_FACTORIES, LOSS_FACTORIES, OPTIMIZER_FACTORIES, SCHEDULER_FACTORIES } from './registry';

const sorted = (o: object) => Object.keys(o).sort();

describe('the engine registry covers the catalogue, row for row', () => {
  it('has a layer factory for every op that is a module, and none for another name', () => {
    const modules = Object.values(OP_CATALOGUE).filter((info) => info.category !== 'input' && info.category !== 'merge');
    expect(sorted(LAYER_FACTORIES)).toEqual(modules.map((info) => info.op).sort());
  });
  it('has a factory for every loss, optimizer and scheduler, and none for another name', () => {
    expect(sorted(LOSS_FACTORIES)).toEqual(sorted(LOSS_CATALOGUE));
    expect(sorted(OPTIMIZER_FACTORIES)).toEqual(sorted(OPTIMIZER_CATALOGUE));
    expect(sorted(SCHEDULER_FACTORIES)).toEqual(sorted(SCHEDULER_CATALOGUE));
  });
});

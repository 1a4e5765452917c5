import { describe, expect, it } from 'vitest';
import { PendingEdits, type PendingEdit } from './pending-edits';

const edit = (key: string, scope: PendingEdit['scope'], text = '0'): PendingEdit =>
  ({ key, field: key.replace('param-', ''), text, problem: { code: 'param-int' }, scope });

describe('PendingEdits', () => {
  it('keeps fields in the order they went wrong, updating one in place', () => {
    const pending = new PendingEdits();
    pending.set(edit('param-batch_size', 'model'));
    pending.set(edit('param-lr', 'model'));
    pending.set(edit('param-batch_size', 'model', '-1'));
    expect(pending.items.map((e) => [e.key, e.text])).toEqual([['param-batch_size', '-1'], ['param-lr', '0']]);
    pending.clear('param-batch_size');
    pending.clear('param-nothing');
    expect(pending.items.map((e) => e.key)).toEqual(['param-lr']);
  });

  it("blocks the builder's runs on any field, a preset's only on the Train tab's", () => {
    const pending = new PendingEdits();
    pending.set(edit('param-data-batchSize', 'model'));
    expect(pending.blocking('builder')?.key).toBe('param-data-batchSize');
    expect(pending.blocking('LeNet-5')).toBeNull();
    pending.set(edit('param-run-epochs', 'run'));
    expect(pending.blocking('LeNet-5')?.key).toBe('param-run-epochs');
    expect(pending.blocking('builder')?.key).toBe('param-data-batchSize');
  });
});

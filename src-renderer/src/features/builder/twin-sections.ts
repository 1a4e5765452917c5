/**
 * The PyTorch twin cut in three, so the panel can show the model first: the script before the model (docstring,
 * imports, arguments, data loading), the model (an nn.Module subclass with its `model = Net()`, or the
 * `model = nn.Sequential(...)` statement, with any helper modules defined just before it), and the rest (optimizer,
 * training loop, saving). The three joined with '\n' are the script again, unchanged.
 *
 *   twinSections('import torch\n\nmodel = nn.Sequential(\n    nn.Linear(784, 10),\n)\nfit()')
 *   → { before: 'import torch\n', model: 'model = nn.Sequential(\n    nn.Linear(784, 10),\n)', after: 'fit()' }
 */
export interface TwinSections {
  before: string;
  model: string;
  after: string;
}

const MODULE_CLASS = /^class \w+\((?:torch\.)?nn\.Module\):/;
const MODEL_LINE = /^model = /;

/** Lines in `before`/`after`, for the fold's summary ("85 lines"); 0 for an empty part. */
export const lineCount = (text: string): number => (text === '' ? 0 : text.split('\n').length);

export function twinSections(script: string): TwinSections {
  const lines = script.split('\n');
  const assign = lines.findIndex((l) => MODEL_LINE.test(l));
  if (assign === -1) return { before: script, model: '', after: '' };
  // Helper modules (and the model's own class) defined right before `model = …`: every nn.Module class above it
  // that nothing else separates from it but other such classes and blank lines.
  let start = assign;
  for (let i = assign - 1; i >= 0; i--) {
    const line = lines[i];
    if (MODULE_CLASS.test(line)) start = i;
    else if (line !== '' && !/^\s/.test(line)) break;
  }
  // The statement ends at the first line back at column 0 (a closing ')' belongs to it).
  let end = assign;
  while (end + 1 < lines.length && (/^\s/.test(lines[end + 1]) || lines[end + 1] === ')')) {
    end++;
    if (lines[end] === ')') break;
  }
  return {
    before: lines.slice(0, start).join('\n'),
    model: lines.slice(start, end + 1).join('\n'),
    after: lines.slice(end + 1).join('\n'),
  };
}

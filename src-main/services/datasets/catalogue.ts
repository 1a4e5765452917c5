/**
 * The datasets LayerLab knows: four IDX files each, with pinned sizes and SHA-256 sums (of the .gz as distributed,
 * and of the inflated IDX, so a user-imported raw file is recognised too), and an ordered mirror list.
 *
 * Mirror overrides, highest priority first:
 *   1. a per-call `mirrors` option (the CLI's `--mirror URL`);
 *   2. env LAYERLAB_MIRRORS, e.g. `mnist=http://127.0.0.1:9999/mnist/,fashion-mnist=http://host/fmnist/`
 *      — comma- or semicolon-separated `name=url` pairs; repeat a name (or join URLs with `|`) for several
 *      mirrors, tried in order: `mnist=http://a/|http://b/`. A URL is a folder: the file name is appended;
 *   3. the user's settings (`mirrors` in DatasetServiceOptions, same shape as below);
 *   4. the defaults here.
 * Any override replaces the whole list for that dataset.
 */
import { engineText, englishText, type EngineText } from '../../../common/engine-text';

export type DatasetRole = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';
export const ROLES: readonly DatasetRole[] = ['trainImages', 'trainLabels', 'testImages', 'testLabels'];

export interface CatalogueFile {
  role: DatasetRole;
  /** File name on the mirror and in the cache. */
  name: string;
  /** Bytes of the .gz. */
  size: number;
  /** SHA-256 (hex) of the .gz. */
  sha256: string;
  /** SHA-256 (hex) of the inflated IDX bytes; recognises raw imports. */
  rawSha256?: string;
  /** Expected IDX shape when inflated. */
  shape: number[];
}

export interface CatalogueEntry {
  name: string;
  title: string;
  /** The title as a sentence code, so a sentence that names the dataset reads in the learner's language. */
  titleText?: EngineText;
  classes: string[];
  files: CatalogueFile[];
  mirrors: string[];
}

const MNIST_TITLE = engineText('dataset.title.mnist', {});
const FASHION_TITLE = engineText('dataset.title.fashion-mnist', {});

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

function files(
  sums: Record<DatasetRole, [size: number, sha256: string, rawSha256: string]>,
): CatalogueFile[] {
  const names: Record<DatasetRole, [string, number[]]> = {
    trainImages: ['train-images-idx3-ubyte.gz', [60000, 28, 28]],
    trainLabels: ['train-labels-idx1-ubyte.gz', [60000]],
    testImages: ['t10k-images-idx3-ubyte.gz', [10000, 28, 28]],
    testLabels: ['t10k-labels-idx1-ubyte.gz', [10000]],
  };
  return ROLES.map((role) => {
    const [size, sha256, rawSha256] = sums[role];
    return { role, name: names[role][0], shape: names[role][1], size, sha256, rawSha256 };
  });
}

export const CATALOGUE: Record<string, CatalogueEntry> = {
  mnist: {
    name: 'mnist',
    title: englishText(MNIST_TITLE),
    titleText: MNIST_TITLE,
    classes: DIGITS,
    mirrors: ['https://ossci-datasets.s3.amazonaws.com/mnist/', 'https://storage.googleapis.com/cvdf-datasets/mnist/'],
    files: files({
      trainImages: [9912422, '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609', 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db'],
      trainLabels: [28881, '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c', '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5'],
      testImages: [1648877, '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6', '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7'],
      testLabels: [4542, 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6', 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2'],
    }),
  },
  'fashion-mnist': {
    name: 'fashion-mnist',
    title: englishText(FASHION_TITLE),
    titleText: FASHION_TITLE,
    classes: FASHION,
    mirrors: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
    files: files({
      trainImages: [26421880, '3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84', 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888'],
      trainLabels: [29515, 'a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845', 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9'],
      testImages: [4422102, '346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073', '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b'],
      testLabels: [5148, '67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5', '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34'],
    }),
  },
};

/**
 * The entry named `name`, or undefined. Own properties only: a catalogue is a plain object, and a user's name like
 * `constructor` or `toString` must not find Object.prototype's function there.
 */
export function catalogueEntry(catalogue: Record<string, CatalogueEntry>, name: string): CatalogueEntry | undefined {
  return Object.hasOwn(catalogue, name) ? catalogue[name] : undefined;
}

/** Parses LAYERLAB_MIRRORS (format in the file comment). Throws on a malformed pair, naming it. */
export function parseMirrorsEnv(value: string | undefined): Record<string, string[]> {
  // No prototype: a pair named `constructor` or `__proto__` must start its own list, not find Object's.
  const out: Record<string, string[]> = Object.create(null);
  if (!value || !value.trim()) return out;
  for (const pair of value.split(/[,;]/)) {
    const item = pair.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    if (eq <= 0) throw new Error(`LAYERLAB_MIRRORS: expected name=url, got "${item}"`);
    const name = item.slice(0, eq).trim();
    for (const url of item.slice(eq + 1).split('|').map((u) => u.trim()).filter(Boolean)) {
      checkMirrorUrl(url, 'LAYERLAB_MIRRORS');
      (out[name] ??= []).push(url);
    }
  }
  return out;
}

export function checkMirrorUrl(url: string, where: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${where}: "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`${where}: "${url}" must be http or https`);
}

/** The URL of `file` on a mirror (a folder URL; a missing trailing slash is added). */
export function fileUrl(mirror: string, file: string): string {
  return (mirror.endsWith('/') ? mirror : mirror + '/') + file;
}

/** The mirror list for a dataset after overrides (see the file comment). */
export function resolveMirrors(
  entry: CatalogueEntry,
  overrides: { call?: string[]; env?: Record<string, string[]>; settings?: Record<string, string[]> } = {},
): string[] {
  const own = (lists: Record<string, string[]> | undefined) => (lists && Object.hasOwn(lists, entry.name) ? lists[entry.name] : undefined);
  for (const list of [overrides.call, own(overrides.env), own(overrides.settings)]) {
    if (list && list.length) return [...list];
  }
  return [...entry.mirrors];
}

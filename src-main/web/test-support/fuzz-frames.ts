/**
 * Test support (not shipped): a seeded stream of bad browser-host frames for the hardening fuzz test. Every frame
 * is wrong by construction, so every frame must be answered with an error: deep nesting, huge strings, prototype
 * keys, NaN and Infinity, wrong types, broken JSON, binary frames. A frame that is a call with a usable id says so
 * (`callId`): its answer is a result envelope under that id; any other frame's is an error frame or an engine
 * error.
 *
 * ```ts
 * for (const frame of fuzzFrames(17, 2000)) ws.send(frame.data, { binary: frame.binary });
 * ```
 */
import { API_METHODS } from '../../../common/api';
import { mulberry32 } from '../../../common/split';

export interface FuzzFrame {
  data: string | Buffer;
  binary: boolean;
  /** The call id the answer must carry, when the frame is a call with a usable id. */
  callId: number | null;
  /** What this frame attacks, for a failure message. */
  label: string;
}

export const PROTOTYPE_KEYS = [
  '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf',
  '__defineGetter__', 'propertyIsEnumerable', 'toLocaleString',
] as const;

/** Dataset names the arg check passes (letters first) that are prototype keys: they reach the service. */
const PROTO_NAMES = PROTOTYPE_KEYS.filter((k) => /^[a-z]/i.test(k));

/** Engine requests that need a run in progress (none is): any runId is refused by the engine host. */
const RUN_REQUESTS = ['run-pause', 'run-resume', 'run-stop', 'run-step', 'run-set-lr'] as const;

export function fuzzFrames(seed: number, count: number): FuzzFrame[] {
  const random = mulberry32(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  let nextId = 1;

  /** `{"a":{"a":…}}` or `[[…]]`, past the 32-level limit, up to 6,000 deep. */
  const deep = (): string => {
    const depth = 33 + int(6000);
    return random() < 0.5 ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth);
  };
  /** 64 Ki to 1 Mi repeats (up to 7 MB of JSON): far past any name, under the frame limit (over it closes the socket). */
  const huge = (): string => JSON.stringify(pick(['x', '\u00e9', 'A\\', '{"a":']).repeat(65_536 + int(1024 * 1024)));
  const wrongType = (): string => pick(['null', 'true', '0', '-1', '1.5', '""', '[]', '{}', '"x"', '[1,"2",null]', '{"k":[]}']);
  const notANumber = (): string => pick(['NaN', 'Infinity', '-Infinity', 'undefined', '1e999', '-0', '0x10', '01']);
  const protoKey = (): string => JSON.stringify(pick(PROTOTYPE_KEYS));
  /** A value that is wrong wherever it goes: most frames carry one. */
  const bad = (): string => pick([deep, huge, wrongType, wrongType, notANumber, protoKey, () => `{${protoKey()}:${wrongType()}}`])();

  const call = (): FuzzFrame => {
    const idOk = random() < 0.85;
    const id = idOk ? nextId++ : null;
    const idText = id !== null ? String(id) : pick(['"1"', '-1', '1.5', 'null', 'NaN', '1e999', '9007199254740993', '[]']);
    const { method, args, label } = badCall();
    // A call with a deep value is still a call with an id: it must be answered under that id.
    const text = `{"kind":"call","id":${idText},"method":${method},"args":${args}}`;
    return { data: text, binary: false, callId: id, label: `call ${label}` };
  };

  /** A method and arguments that must fail: an unknown method, or a known one with arguments it refuses. */
  const badCall = (): { method: string; args: string; label: string } => {
    const choice = int(8);
    if (choice === 0) return { method: protoKey(), args: '[]', label: 'prototype-key method' };
    if (choice === 1) return { method: pick([wrongType(), huge(), '"rmRf"']), args: '[]', label: 'unknown method' };
    const method = pick(API_METHODS);
    if (choice === 2) return { method: JSON.stringify(method), args: pick([wrongType(), notANumber(), huge()]).replace(/^\[.*\]$/, '{}'), label: `${method} args not an array` };
    if (choice === 3) return { method: JSON.stringify(method), args: `[${deep()}]`, label: `${method} deep args` };
    if (choice === 4 && ['fetchDataset', 'verifyDataset', 'deleteDataset', 'getDatasetSamples', 'loadProject'].includes(method)) {
      return { method: JSON.stringify(method), args: `[${JSON.stringify(pick(PROTO_NAMES))}]`, label: `${method} prototype-key name` };
    }
    return { method: JSON.stringify(method), args: wrongArgs(method), label: `${method} wrong args` };
  };

  /** Arguments the method's check refuses: too many for a getter, or the wrong kind where a name or object goes. */
  const wrongArgs = (method: (typeof API_METHODS)[number]): string => {
    switch (method) {
      case 'saveProject': return `[${JSON.stringify(pick(PROTO_NAMES))},${bad()}]`;
      case 'autosaveProject': return `[${bad()}]`;
      case 'exportProjectFile': return `["m.py","x",${pick([protoKey(), wrongType(), notANumber()])}]`;
      // uploadId null starts an upload, so only ids that are not ids go here.
      case 'uploadDatasetFile': return `[{"uploadId":${pick([protoKey(), '"zz"', '7', '[]', '{}'])},"file":"a","offset":0,"base64":""}]`;
      case 'importDataset': return `[{"source":${pick([protoKey(), wrongType()])}}]`;
      case 'getDatasetSamples': return `["mnist",{${protoKey()}:1}]`;
      default: return `[${bad()},${bad()},${wrongType()}]`;
    }
  };

  const engine = (): FuzzFrame => {
    const choice = int(7);
    let message: string;
    let label: string;
    if (choice === 0) [message, label] = [`{"type":${pick([protoKey(), huge(), wrongType(), notANumber()])}}`, 'unknown type'];
    else if (choice === 1) [message, label] = [pick([wrongType(), notANumber(), protoKey(), deep()]), 'message not an object'];
    else if (choice === 2) [message, label] = [`{"type":"ping","id":${pick(['null', 'true', '"1"', '[]', '{}', '1e999', 'NaN', protoKey(), huge()])}}`, 'ping without a finite id'];
    else if (choice === 3) [message, label] = [`{"type":"run-start","spec":${bad()}}`, 'run-start with a bad spec'];
    else if (choice === 4) [message, label] = [runRequest(), 'run request for a run that does not exist'];
    else if (choice === 5) [message, label] = [`{"type":"configure","runsDir":"/tmp/evil"}`, 'main-only request from a renderer'];
    else [message, label] = [`{"type":"runs-list",${protoKey()}:${bad()}}`, 'unexpected prototype-key field'];
    return { data: `{"kind":"engine","message":${message}}`, binary: false, callId: null, label: `engine ${label}` };
  };

  /** Well-formed, so it reaches the engine's run manager, which has no run of that id (a prototype key). */
  const runRequest = (): string => {
    const type = pick(RUN_REQUESTS);
    const extra = type === 'run-step' ? ',"unit":"batch"' : type === 'run-set-lr' ? ',"lr":0.1' : '';
    return `{"type":"${type}","runId":${JSON.stringify(pick(PROTO_NAMES).toLowerCase())}${extra}}`;
  };

  const other = (): FuzzFrame => {
    const choice = int(6);
    if (choice === 0) return { data: Buffer.from(Array.from({ length: 1 + int(64) }, () => int(256))), binary: true, callId: null, label: 'binary' };
    if (choice === 1) return { data: `{"kind":${pick([protoKey(), wrongType(), notANumber(), huge()])}}`, binary: false, callId: null, label: 'bad kind' };
    if (choice === 2) return { data: pick([wrongType(), notANumber(), huge(), deep()]), binary: false, callId: null, label: 'not an object' };
    if (choice === 3) return { data: `{"kind":"call","id":1,`.slice(0, 1 + int(20)), binary: false, callId: null, label: 'truncated JSON' };
    if (choice === 4) return { data: `{${protoKey()}:{"kind":"call"},"kind":${protoKey()}}`, binary: false, callId: null, label: 'prototype-key frame' };
    return { data: pick(['', ' ', '\u0000', '{"kind":"call"}garbage', '\ud800']), binary: false, callId: null, label: 'garbage' };
  };

  return Array.from({ length: count }, () => {
    const r = random();
    const frame = r < 0.45 ? call() : r < 0.85 ? engine() : other();
    // NaN, undefined and the like are not JSON: such a call has no readable id and gets an error frame instead.
    if (frame.callId !== null && !isJson(frame.data as string)) frame.callId = null;
    return frame;
  });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A Device (device.ts) as a message to put in the learner's language: t(words.key, words.params). */
import type { Words } from '../../lib/i18n/translate';
import type { Device } from './device';

export function deviceWords(device: Device): Words {
  switch (device.kind) {
    case 'cpu-js':
    case 'cpu-gpujs':
      return { key: `engine.device.${device.kind}`, params: {} };
    case 'cpu-wasm':
      if (device.threads === null) return { key: 'engine.device.cpu-wasm.some', params: {} };
      return device.threads === 1
        ? { key: 'engine.device.cpu-wasm.one', params: {} }
        : { key: 'engine.device.cpu-wasm.many', params: { threads: device.threads } };
    case 'gpu':
      if (device.adapter) return { key: 'engine.device.gpu.named', params: { adapter: device.adapter } };
      return { key: `engine.device.gpu.${device.api}`, params: {} };
    case 'other':
      return { key: 'engine.device.other', params: { name: device.name } };
  }
}

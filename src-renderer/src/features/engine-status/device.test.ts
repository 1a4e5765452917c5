import { describe, expect, it } from 'vitest';
import type { BackendProbe } from '../../../../common/engine-protocol';
import { engineText, englishText, type EngineText } from '../../../../common/engine-text';
import { en } from '../../lib/i18n/en';
import { format } from '../../lib/i18n/translate';
import { candidateDevices, deviceOf, type Device } from './device';
import { deviceWords } from './device-words';

/** What the engine host's hello lists on a 2-core machine with a GPU (src-main/engine-host/index.ts). */
const probe = (name: string, available: boolean, text: EngineText): BackendProbe => ({ name, available, detail: englishText(text), detailText: text });
const engineBackend = engineText('backend.ok.engine', {});
const hello: BackendProbe[] = [
  probe('webgpu', false, engineText('backend.unavailable.noNavigatorGpu.node', {})),
  probe('webasm', true, engineText('backend.ok.ms', { ms: 3 })),
  probe('cpu', true, engineText('backend.ok.ms', { ms: 1 })),
  probe('wasm', true, engineBackend),
  probe('wasm+threads', true, engineText('backend.ok.threads', { threads: 2 })),
  probe('gpujs-webasm', true, engineBackend),
  probe('gpujs-webgpu', true, engineText('backend.ok.webgpu', { adapter: 'NVIDIA H200' })),
];

describe('deviceOf', () => {
  it('says which part of the machine each backend computes on', () => {
    expect(deviceOf('cpu', hello)).toEqual({ kind: 'cpu-js' });
    expect(deviceOf('wasm', hello)).toEqual({ kind: 'cpu-wasm', threads: 1 });
    expect(deviceOf('wasm+threads', hello)).toEqual({ kind: 'cpu-wasm', threads: 2 });
    expect(deviceOf('gpujs-webasm', hello)).toEqual({ kind: 'cpu-gpujs' });
    expect(deviceOf('gpujs-webgpu', hello)).toEqual({ kind: 'gpu', api: 'webgpu', adapter: 'NVIDIA H200' });
    expect(deviceOf('gpujs-headlessgl', hello)).toEqual({ kind: 'gpu', api: 'webgl', adapter: null });
    expect(deviceOf('quantum', hello)).toEqual({ kind: 'other', name: 'quantum' });
  });

  it('does not invent a thread count or an adapter the hello did not give', () => {
    const bare = hello.map((b) => probe(b.name, b.available, engineBackend));
    expect(deviceOf('wasm+threads', bare)).toEqual({ kind: 'cpu-wasm', threads: null });
    expect(deviceOf('gpujs-webgpu', bare)).toEqual({ kind: 'gpu', api: 'webgpu', adapter: null });
    expect(deviceOf('wasm+threads', [])).toEqual({ kind: 'cpu-wasm', threads: null });
    const unnamed = [probe('gpujs-webgpu', true, engineText('backend.ok.webgpu', { adapter: engineText('backend.adapter.unnamed', {}) }))];
    expect(deviceOf('gpujs-webgpu', unnamed)).toEqual({ kind: 'gpu', api: 'webgpu', adapter: null });
  });
});

describe('candidateDevices', () => {
  it('offers every GPU and the best CPU backend, before a run measures them', () => {
    expect(candidateDevices(hello)).toEqual([
      { kind: 'gpu', api: 'webgpu', adapter: 'NVIDIA H200' },
      { kind: 'cpu-wasm', threads: 2 },
    ]);
  });

  it('skips backends that are unavailable and the gpu.js probes that no run uses', () => {
    const noGpu = hello.filter((b) => b.name !== 'gpujs-webgpu').map((b) => (b.name === 'wasm+threads' ? { ...b, available: false } : b));
    expect(candidateDevices(noGpu)).toEqual([{ kind: 'cpu-wasm', threads: 1 }]);
    expect(candidateDevices([{ name: 'cpu', available: true, detail: 'ok (1 ms)' }])).toEqual([{ kind: 'cpu-js' }]);
    expect(candidateDevices([])).toEqual([]);
  });
});

describe('deviceWords', () => {
  const english = (device: Device) => {
    const words = deviceWords(device);
    return format(en[words.key], words.params);
  };

  it('words each device the way the header shows it in English', () => {
    expect(english(deviceOf('wasm+threads', hello))).toBe('your CPU, 2 threads (WebAssembly SIMD)');
    expect(english(deviceOf('wasm', hello))).toBe('your CPU, 1 thread (WebAssembly SIMD)');
    expect(english(deviceOf('gpujs-webgpu', hello))).toBe('your GPU (NVIDIA H200)');
    expect(english(deviceOf('gpujs-webgpu', []))).toBe('your GPU (WebGPU)');
    expect(english(deviceOf('cpu', hello))).toBe('your CPU (plain JavaScript)');
    expect(english(deviceOf('quantum', hello))).toBe('the quantum backend');
  });
});

/**
 * The WebGPU adapter as the backend lines name it: a hardware adapter's own name as it is, and the words we add (an
 * unnamed adapter, a software one) as sentence codes the renderer words in the learner's language, with the same
 * English as ever for the CLI.
 */
import { describe, expect, it } from 'vitest';
import { engineText, englishText } from '../../common/engine-text';
import { adapterParam, describeAdapter } from './backends';

const adapter = (over: Partial<Parameters<typeof adapterParam>[0] & object>) =>
  ({ vendor: '', architecture: '', device: '', description: '', software: false, ...over });

describe('adapterParam', () => {
  it("keeps a hardware adapter's own name, falling back to vendor, architecture and device", () => {
    expect(adapterParam(adapter({ description: 'NVIDIA H200' }))).toBe('NVIDIA H200');
    expect(adapterParam(adapter({ vendor: 'nvidia', architecture: 'hopper' }))).toBe('nvidia hopper');
  });

  it('says an unnamed or a software adapter as a code, whose English is as before', () => {
    const unnamed = engineText('backend.adapter.unnamed', {});
    expect(adapterParam(null)).toEqual(unnamed);
    expect(adapterParam(adapter({}))).toEqual(unnamed);
    expect(describeAdapter(null)).toBe('an unnamed adapter');
    const swiftshader = adapterParam(adapter({ description: 'SwiftShader driver 5.0.0', software: true }));
    expect(swiftshader).toEqual(engineText('backend.adapter.software', { name: 'SwiftShader driver 5.0.0' }));
    expect(describeAdapter(adapter({ description: 'SwiftShader driver 5.0.0', software: true }))).toBe('SwiftShader driver 5.0.0 (software)');
    expect(describeAdapter(adapter({ software: true }))).toBe('an unnamed adapter (software)');
    const line = engineText('backend.unavailable.softwareAdapter', { adapter: swiftshader });
    expect(englishText(line)).toBe("unavailable (Dawn's only adapter is SwiftShader driver 5.0.0 (software): WebGPU on the CPU, slower than the wasm backends)");
  });
});

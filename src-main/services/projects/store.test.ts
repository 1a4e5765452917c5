import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ARG_CHECKS } from '../../../common/project-api';
import { makeProject } from '../../../common/project';
import { getPreset } from '../../../common/spec';
import { createApiHandlers } from '../api-handlers';
import { createDispatcher } from '../dispatcher';
import { createProjectHandlers } from './index';
import { ProjectStore } from './store';

let dataDir: string;
beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'layerlab-projects-'))));
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const project = (name = 'LeNet-5') => makeProject(getPreset(name)!, { epochs: 2, seed: 0 }, '2026-01-01T00:00:00.000Z');

describe('ProjectStore', () => {
  it('saves, lists newest first and loads back the same project', async () => {
    const store = new ProjectStore(dataDir);
    expect(await store.list()).toEqual([]);
    await store.save('lenet', project());
    await new Promise((r) => setTimeout(r, 20));
    const entry = await store.save('mlp/../x', project('MLP'));
    expect(entry.file).toBe(join(dataDir, 'projects', 'mlp____x.layerlab.json'));
    expect((await store.list()).map((e) => e.name)).toEqual(['mlp____x', 'lenet']);
    expect(await store.load('lenet')).toEqual(project());
  });

  it('says what is wrong with a missing or broken file', async () => {
    const store = new ProjectStore(dataDir);
    await expect(store.load('nope')).rejects.toThrow('no project named "nope"');
    mkdirSync(store.dir, { recursive: true });
    writeFileSync(join(store.dir, 'bad.layerlab.json'), '{oops');
    await expect(store.load('bad')).rejects.toThrow(/cannot be opened \(not-json/);
  });

  // #17.7: the codes must survive the dispatcher, which calls anything it does not know 'internal'.
  it('loadProject answers not-found and bad-project through the dispatcher, with their own codes', async () => {
    const dispatch = createDispatcher(createApiHandlers({ host: 'web', dataDir, engineStatus: () => ({ state: 'ready', pid: 1, reason: null, restarts: 0, hello: null, since: 0 }) }));
    for (const name of ['nope', 'constructor', 'toString']) {
      expect(await dispatch('loadProject', [name])).toEqual({ ok: false, error: { code: 'not-found', message: `no project named "${name}"` } });
    }
    mkdirSync(join(dataDir, 'projects'), { recursive: true });
    writeFileSync(join(dataDir, 'projects', 'bad.layerlab.json'), '{"format":"layerlab-project","version":1}');
    expect(await dispatch('loadProject', ['bad'])).toMatchObject({ ok: false, error: { code: 'bad-project', message: expect.stringContaining('bad-spec') } });
  });

  it('autosave: null before the first, the project after, null again when the file is broken', async () => {
    const handlers = createProjectHandlers(dataDir);
    expect(await handlers.loadAutosave()).toBeNull();
    await handlers.autosaveProject(project());
    expect(await handlers.loadAutosave()).toEqual(project());
    expect(await handlers.listRecentProjects()).toEqual([]);
    writeFileSync(new ProjectStore(dataDir).autosaveFile, '[]');
    expect(await handlers.loadAutosave()).toBeNull();
  });

  it('without native dialogs (the browser host) export and import answer unsupported; with them they delegate', async () => {
    const web = createProjectHandlers(dataDir);
    await expect(web.exportProjectFile('a.py', 'x', 'python')).rejects.toMatchObject({ code: 'unsupported' });
    await expect(web.importProjectFile()).rejects.toMatchObject({ code: 'unsupported' });
    const saved: unknown[] = [];
    const electron = createProjectHandlers(dataDir, {
      save: async (...args) => (saved.push(args), '/home/me/a.py'),
      open: async () => ({ name: 'a.layerlab.json', text: '{}' }),
    });
    expect(await electron.exportProjectFile('a.py', 'print(1)', 'python')).toBe('/home/me/a.py');
    expect(saved).toEqual([['a.py', 'print(1)', 'python']]);
    expect(await electron.importProjectFile()).toEqual({ name: 'a.layerlab.json', text: '{}' });
  });

  it('argument checks refuse bad names and payloads', () => {
    expect(PROJECT_ARG_CHECKS.saveProject(['a', project()])).toBeNull();
    expect(PROJECT_ARG_CHECKS.saveProject(['', project()])).toMatch(/name/);
    expect(PROJECT_ARG_CHECKS.saveProject(['a', { format: 'layerlab-project', version: 9 }])).toMatch(/newer-version/);
    expect(PROJECT_ARG_CHECKS.loadProject([42])).toMatch(/name/);
    expect(PROJECT_ARG_CHECKS.listRecentProjects([1])).toMatch(/no arguments/);
    expect(PROJECT_ARG_CHECKS.exportProjectFile(['m.py', 'x', 'python'])).toBeNull();
    expect(PROJECT_ARG_CHECKS.exportProjectFile(['../m.py', 'x', 'python'])).toMatch(/plain name/);
    expect(PROJECT_ARG_CHECKS.exportProjectFile(['m.py', 'x', 'exe'])).toMatch(/kind/);
    expect(PROJECT_ARG_CHECKS.importProjectFile([])).toBeNull();
  });
});

import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ARG_CHECKS } from '../../../common/project-api';
import { DEFAULT_RUN, makeProject, PROJECT_MAX_BYTES } from '../../../common/project';
import { getPreset } from '../../../common/model-spec';
import { createApiHandlers } from '../api-handlers';
import { createDispatcher } from '../dispatcher';
import { createProjectHandlers } from './index';
import { ProjectStore } from './store';

let dataDir: string;
beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'layerlab-projects-'))));
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

// Every run setting given, as a loaded project has them (parsing fills in the optional ones).
const project = (name = 'LeNet-5') => makeProject(getPreset(name)!, { ...DEFAULT_RUN, epochs: 2, seed: 0 }, '2026-01-01T00:00:00.000Z');

describe('ProjectStore', () => {
  it('saves, lists newest first and loads back the same project', async () => {
    const store = new ProjectStore(dataDir);
    expect(await store.list()).toEqual([]);
    await store.save('lenet', project());
    await new Promise((r) => setTimeout(r, 20));
    const entry = await store.save('mlp/../x', project('MLP'));
    expect(entry.file).toBe(join(dataDir, 'projects', 'mlp____x.layerlab.json'));
    expect((await store.list()).map((e) => e.name)).toEqual(['mlp/../x', 'lenet']);
    expect(await store.load('lenet')).toEqual(project());
  });

  it('says what is wrong with a missing or broken file', async () => {
    const store = new ProjectStore(dataDir);
    await expect(store.load('nope')).rejects.toThrow('no project named "nope"');
    mkdirSync(store.dir, { recursive: true });
    writeFileSync(join(store.dir, 'bad.layerlab.json'), '{oops');
    await expect(store.load('bad')).rejects.toThrow(/cannot be opened \(not-json/);
  });

  // #17.3: several names share a file name; the file says whose it is, and another name may not take it over.
  it('refuses to save one name over another name\'s file, and lists each under the name it was saved as', async () => {
    const store = new ProjectStore(dataDir);
    await store.save('a/b', project('MLP'));
    await expect(store.save('a_b', project())).rejects.toMatchObject({ code: 'name-taken', message: expect.stringContaining('holds the project "a/b"') });
    await expect(store.save('a?b', project())).rejects.toMatchObject({ code: 'name-taken' });
    expect((await store.load('a/b')).spec).toEqual(project('MLP').spec);
    await store.save(' a/b ', project()); // the same name, trimmed: an ordinary re-save
    expect((await store.load('a/b')).spec).toEqual(project().spec);
    expect((await store.list()).map((e) => e.name)).toEqual(['a/b']);
  });

  it('reads a file from before names were kept as named by its stem', async () => {
    const store = new ProjectStore(dataDir);
    mkdirSync(store.dir, { recursive: true });
    writeFileSync(join(store.dir, 'old_one.layerlab.json'), JSON.stringify(project()));
    expect((await store.list()).map((e) => e.name)).toEqual(['old_one']);
    await expect(store.save('old/one', project('MLP'))).rejects.toMatchObject({ code: 'name-taken' });
    await store.save('old_one', project('MLP'));
    expect((await store.load('old_one')).spec).toEqual(project('MLP').spec);
  });

  it('writes pretty JSON when it fits the load limit, compact when only that fits, and nothing when neither does', async () => {
    const store = new ProjectStore(dataDir);
    const big = (relus: number) => {
      const p = project('MLP');
      for (let i = 0; i < relus; i++) {
        p.spec.nodes.push({ id: `r${i}`, op: 'ReLU', params: {} });
        p.spec.edges.push({ from: i === 0 ? p.spec.nodes.at(-2)!.id : `r${i - 1}`, to: `r${i}` });
      }
      return p;
    };
    await store.save('small', project());
    expect(readFileSync(join(store.dir, 'small.layerlab.json'), 'utf8')).toMatch(/^\{\n {2}"name": "small",\n/);
    const entry = await store.save('large', big(42_000));
    const text = readFileSync(entry.file, 'utf8');
    expect(text.length).toBeLessThanOrEqual(PROJECT_MAX_BYTES);
    expect(text).not.toContain('\n ');
    expect((await store.load('large')).spec.nodes.length).toBe(big(42_000).spec.nodes.length);
    await expect(store.save('huge', big(75_000))).rejects.toMatchObject({ code: 'too-large', message: expect.stringMatching(/is \d+\.\d MB even written compactly, over the 5\.0 MB/) });
    await expect(store.autosave(big(75_000))).rejects.toMatchObject({ code: 'too-large' });
    expect(readdirSync(store.dir).sort()).toEqual(['large.layerlab.json', 'small.layerlab.json']);
    expect(await store.loadAutosave()).toBeNull();
  });

  // #17.7: the codes must survive the dispatcher, which calls anything it does not know 'internal'.
  it('loadProject answers not-found and bad-project through the dispatcher, with their own codes', async () => {
    const dispatch = createDispatcher(createApiHandlers({ host: 'web', dataDir, engineStatus: () => ({ state: 'ready', pid: 1, reason: null, restarts: 0, hello: null, since: 0 }) }));
    for (const name of ['nope', 'constructor', 'toString']) {
      expect(await dispatch('loadProject', [name])).toEqual({
        ok: false, error: { code: 'not-found', message: `no project named "${name}"`, text: { code: 'project.notFound', params: { name } } },
      });
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

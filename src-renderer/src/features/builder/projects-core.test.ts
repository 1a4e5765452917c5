import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fail, ok, type Envelope } from '../../../../common/envelope';
import { makeProject, type ProjectFile } from '../../../../common/project';
import type { PickedProjectFile, ProjectEntry } from '../../../../common/project-api';
import { getPreset } from '../../../../common/model-spec';
import { en } from '../../lib/i18n/en';
import { ko } from '../../lib/i18n/ko';
import { engineSays, format, type HostError } from '../../lib/i18n/translate';
import { engineText, englishText } from '../../../../common/engine-text';
import { BuilderCore } from './builder-core';
import { ProjectsCore, type ProjectBuilder } from './projects-core';

function setup(autosave: ProjectFile | null = null) {
  const core = new BuilderCore();
  const builder = Object.assign(core, { run: { epochs: 2, seed: 0 }, python: 'print(1)\n' }) as BuilderCore & ProjectBuilder;
  const disk = new Map<string, ProjectFile>();
  const autosaves: ProjectFile[] = [];
  const files: [string, string, string][] = [];
  const api = {
    saveProject: vi.fn(async (name: string, project: ProjectFile) => {
      disk.set(name, project);
      return ok<ProjectEntry>({ name, file: `/p/${name}.layerlab.json`, savedAt: 1 });
    }),
    loadProject: vi.fn(async (name: string) => (disk.has(name) ? ok(disk.get(name)!) : fail('not-found', `no project named "${name}"`))),
    listRecentProjects: vi.fn(async () => ok([...disk.keys()].map((name) => ({ name, file: name, savedAt: 1 })))),
    autosaveProject: vi.fn(async (project: ProjectFile) => (autosaves.push(project), ok(null))),
    loadAutosave: vi.fn(async () => ok(autosave)),
    exportProjectFile: vi.fn(async (..._args: unknown[]) => fail('unsupported', 'no dialog') as Envelope<string | null>),
    importProjectFile: vi.fn(async () => fail('unsupported', 'no dialog') as Envelope<PickedProjectFile | null>),
  };
  // The app's translate reads the locale at each call; so does this one.
  const locale = { catalog: en as Record<keyof typeof en, string> };
  const translate = (key: string, params?: Record<string, string | number>) => {
    if (!(key in en)) throw new Error(`no message ${key}`);
    return format(locale.catalog[key as keyof typeof en], params);
  };
  // As the app words a host error: its coded sentence in the language shown, else its own message.
  const sayHost = (error: HostError) => engineSays(locale.catalog, error.text ? [error.text] : undefined, error.message);
  const projects = new ProjectsCore({ api, builder, translate, sayHost, saveFile: (...a) => void files.push(a), delayMs: 100 });
  return { builder, projects, api, disk, autosaves, files, locale };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('ProjectsCore', () => {
  it('restores the autosave on connect, with no undo into the empty canvas', async () => {
    const saved = makeProject(getPreset('MLP')!, { epochs: 5, seed: 1 });
    const { builder, projects } = setup(saved);
    await projects.connect();
    expect(builder.spec).toEqual(saved.spec);
    expect(builder.run).toEqual({ epochs: 5, seed: 1 });
    expect(builder.canUndo).toBe(false);
    expect(projects.message).toEqual({ tone: 'ok', text: 'Restored your last session.' });
  });

  it("re-words the message on screen when the language changes ('Opened …' does not stay English)", async () => {
    const { projects, locale } = setup();
    await projects.save();
    await projects.open('untitled');
    expect(projects.message?.text).toBe('Opened "untitled".');
    locale.catalog = ko;
    expect(projects.message?.text).toBe('"untitled"을(를) 열었습니다.');
    projects.openText('{', 'x.json');
    expect(projects.message?.text).toMatch(/^올바른 JSON 파일이 아닙니다/);
    locale.catalog = en;
    expect(projects.message?.text).toMatch(/^This file is not valid JSON/);
  });

  it("words the host's refusal in the language shown: a coded one as its sentence, an uncoded one as it came", async () => {
    const { projects, api, locale } = setup();
    const taken = engineText('project.nameTaken', { name: 'mlp', file: 'mlp.layerlab.json', holder: 'MLP' });
    api.saveProject.mockResolvedValueOnce({ ok: false, error: { code: 'name-taken', message: englishText(taken), text: taken } });
    await projects.save();
    expect(projects.message?.text).toBe(`Could not save: ${englishText(taken)}`);
    locale.catalog = ko;
    expect(projects.message?.text).toBe(
      '저장하지 못했습니다: "mlp"은(는) mlp.layerlab.json(으)로 저장되는데, 그 파일에는 프로젝트 "MLP"이(가) 있습니다. 다른 이름을 고르거나 "MLP"을(를) 열어 저장하세요.',
    );
    await projects.open('gone'); // the fake API's refusal has no code: its words stay, inside the Korean sentence
    expect(projects.message?.text).toBe('"gone"을(를) 열지 못했습니다: no project named "gone". 현재 작업은 그대로입니다.');
  });

  it('leaves work started before the autosave answered alone', async () => {
    const { builder, projects } = setup(makeProject(getPreset('MLP')!, { epochs: 2, seed: 0 }));
    builder.add('Flatten');
    await projects.connect();
    expect(builder.spec.nodes.map((n) => n.op)).toEqual(['Input', 'Flatten']);
    expect(projects.message).toBeNull();
  });

  it('autosaves at most once per delay, always the latest graph', async () => {
    const { builder, projects, autosaves } = setup();
    await projects.connect();
    builder.add('Flatten');
    builder.add('Linear');
    expect(projects.pending).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    expect(autosaves).toHaveLength(1);
    expect(autosaves[0].spec.nodes).toHaveLength(3);
    projects.dispose();
    builder.add('ReLU');
    await vi.advanceTimersByTimeAsync(500);
    expect(autosaves).toHaveLength(1);
  });

  it('save, then open by name gives the same graph; saving autosaves too', async () => {
    const { builder, projects, autosaves } = setup();
    await projects.connect();
    builder.add('Flatten');
    builder.setName('mine');
    const spec = builder.spec;
    await projects.save();
    expect(projects.message?.text).toBe('Saved "mine" in the app data folder.');
    expect(projects.recent.map((e) => e.name)).toEqual(['mine']);
    expect(autosaves.at(-1)!.spec).toBe(spec);
    builder.clear();
    await projects.open('mine');
    expect(builder.spec).toEqual(spec);
    await projects.open('gone');
    expect(projects.message).toEqual({ tone: 'error', text: 'Could not open "gone": no project named "gone". Your current work is unchanged.' });
    expect(builder.spec).toEqual(spec);
  });

  it('a broken, foreign or newer upload only sets the message', () => {
    const { builder, projects } = setup();
    builder.add('Flatten');
    const before = builder.spec;
    projects.openText('{oops', 'x.json');
    expect(projects.message?.text).toMatch(/^This file is not valid JSON \(.+\)\. Your current work is unchanged\.$/);
    projects.openText('{"format":"other"}', 'x.json');
    expect(projects.message?.text).toBe('This is not a LayerLab project file. Your current work is unchanged.');
    projects.openText(JSON.stringify({ format: 'layerlab-project', version: 7 }), 'x.json');
    expect(projects.message?.text).toMatch(/newer LayerLab \(file version 7, this LayerLab reads 1\)/);
    projects.openText(JSON.stringify({ format: 'layerlab-project', version: 1, spec: { version: 1, nodes: [], edges: [] } }), 'x.json');
    expect(projects.message?.text).toMatch(/^This project file is damaged: the graph needs exactly one Input\./);
    expect(builder.spec).toBe(before);
    projects.openText(JSON.stringify(makeProject(getPreset('LeNet-5')!, { epochs: 1, seed: 0 })), 'lenet.layerlab.json');
    expect(builder.spec.name).toBe('LeNet-5');
    builder.undo();
    expect(builder.spec).toBe(before);
  });

  it('downloads the project and the twin under file names from the model name where there is no dialog', async () => {
    const { builder, projects, files } = setup();
    builder.setName('My net');
    await projects.download();
    await projects.downloadPython();
    expect(files.map(([, type, name]) => [type, name])).toEqual([
      ['application/json', 'My net.layerlab.json'], ['text/x-python', 'my_net.py'],
    ]);
    expect(JSON.parse(files[0][0]).spec.name).toBe('My net');
  });
});

describe('ProjectsCore with native dialogs (Electron)', () => {
  it('exports through the save dialog, says where, and stays quiet when cancelled', async () => {
    const { builder, projects, api, files } = setup();
    builder.setName('net');
    api.exportProjectFile.mockResolvedValueOnce(ok('/home/me/net.layerlab.json')).mockResolvedValueOnce(ok(null));
    await projects.download();
    expect(api.exportProjectFile.mock.calls[0].slice(0, 1).concat(api.exportProjectFile.mock.calls[0][2])).toEqual(['net.layerlab.json', 'project']);
    expect(projects.message?.text).toBe('Saved to /home/me/net.layerlab.json.');
    await projects.downloadPython();
    expect(api.exportProjectFile.mock.calls[1][2]).toBe('python');
    expect(files).toEqual([]);
  });

  it('opens what the open dialog read; no dialog means the caller shows its file input', async () => {
    const { builder, projects, api } = setup();
    expect(await projects.pickFile()).toBe(false);
    const lenet = JSON.stringify(makeProject(getPreset('LeNet-5')!, { epochs: 2, seed: 0 }));
    api.importProjectFile.mockResolvedValueOnce(ok({ name: 'lenet.layerlab.json', text: lenet }));
    expect(await projects.pickFile()).toBe(true);
    expect(builder.spec.name).toBe('LeNet-5');
    api.importProjectFile.mockResolvedValueOnce(fail('too-large', 'x is too large to be a LayerLab project'));
    expect(await projects.pickFile()).toBe(true);
    expect(projects.message?.text).toBe('Could not open the file: x is too large to be a LayerLab project. Your current work is unchanged.');
    expect(builder.spec.name).toBe('LeNet-5');
  });
});

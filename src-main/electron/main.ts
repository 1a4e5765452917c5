/**
 * Electron main: a thin shell around the host-agnostic services. It registers the app:// scheme, hardens every web
 * contents, registers the API over IPC, starts the engine host as a utility process, and hands the window a fresh
 * MessagePort to the engine every time the engine (re)starts or the page (re)loads.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow } from 'electron';
import { createAppServices } from '../services/app-services';
import { DatasetService } from '../services/datasets';
import { pickDatasetFiles } from './dataset-dialog';
import { projectDialogs } from './project-dialog';
import { handleAppProtocol, registerAppScheme } from './app-protocol';
import { handEnginePort } from './engine-port';
import { hardenApp } from './hardening';
import { forwardEvents, registerApiIpc } from './ipc';
import { APP_ENTRY_URL, devServerOrigin } from './trust';
import { UtilityLauncher } from './utility-launcher';
import { mainWindowOptions } from './window-options';

const outMain = dirname(fileURLToPath(import.meta.url));
// electron-vite's dev server, when unpackaged: trusted only on a loopback http origin (see common/app-origin.ts).
const devOrigin = !app.isPackaged ? devServerOrigin(process.env.ELECTRON_RENDERER_URL) : null;
const devUrl = devOrigin ? process.env.ELECTRON_RENDERER_URL! : null;
if (!app.isPackaged && process.env.ELECTRON_RENDERER_URL && !devOrigin) {
  console.warn(`LayerLab: ignoring ELECTRON_RENDERER_URL ${process.env.ELECTRON_RENDERER_URL}: only http on localhost is trusted`);
}

registerAppScheme();
app.enableSandbox();

// A second launch focuses the first window instead of starting a second engine.
if (!app.requestSingleInstanceLock()) app.quit();
else startApp();

function startApp(): void {
  // Electron keeps everything (datasets, projects, runs) under its per-user app folder, as the README says.
  const dataDir = app.getPath('userData');
  const services = createAppServices({
    host: 'electron',
    dataDir,
    launcher: new UtilityLauncher(join(outMain, 'engine-host.js')),
    datasets: {
      service: new DatasetService({ cacheDir: join(dataDir, 'datasets') }),
      pickFiles: pickDatasetFiles,
    },
    projectDialogs,
  });

  let window: BrowserWindow | null = null;

  function connectEngine(): void {
    const engine = services.supervisor.process;
    if (!engine || !window || services.supervisor.status.state !== 'ready') return;
    handEnginePort(window, engine, devOrigin);
  }

  function createWindow(): void {
    window = new BrowserWindow(
      mainWindowOptions({
        preload: join(outMain, '../preload/index.cjs'),
        icon: join(app.getAppPath(), 'resources/icon.png'),
      }),
    );
    forwardEvents(services, window);
    window.once('ready-to-show', () => window?.show());
    window.webContents.on('did-finish-load', connectEngine);
    window.on('closed', () => (window = null));
    void window.loadURL(devUrl ?? APP_ENTRY_URL);
  }

  let lastReadyPid: number | null = null;
  services.supervisor.onStatus((status) => {
    if (status.state === 'ready' && status.pid !== lastReadyPid) {
      lastReadyPid = status.pid;
      connectEngine();
    }
  });

  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });

  app.whenReady().then(() => {
    hardenApp(devOrigin);
    handleAppProtocol(join(outMain, '../renderer'));
    registerApiIpc(services, devOrigin);
    services.supervisor.start();
    createWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    void services.shutdown().finally(() => {
      stopped = true;
      app.quit();
    });
  });
}

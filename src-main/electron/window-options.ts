/**
 * The main window's options, as a pure function so a unit test can assert the security settings without Electron.
 * Imports electron only as types.
 */
import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowPaths {
  /** out/preload/index.cjs */
  preload: string;
  icon?: string;
}

export function mainWindowOptions(paths: WindowPaths): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    title: 'LayerLab',
    show: false,
    backgroundColor: '#101418',
    ...(paths.icon ? { icon: paths.icon } : {}),
    webPreferences: {
      preload: paths.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  };
}

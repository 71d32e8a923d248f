// The one place that creates and hardens windows.
import { app, BrowserWindow, session, shell, type WebContents } from 'electron';
import { join } from 'node:path';
import { CONTENT_SECURITY_POLICY, isOwnRenderer, isSafeExternalUrl } from './security';

export const RENDERER_DEV_URL = process.env['ELECTRON_RENDERER_URL'];

/** Set once the app is quitting: a window that held its close back to save goes on with the quit. */
let quitting = false;
app.on('before-quit', () => (quitting = true));

export function hardenSession(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
  // The editor needs no camera, microphone, notifications or geolocation.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
}

function hardenContents(wc: WebContents): void {
  wc.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  wc.on('will-navigate', (event, url) => {
    if (!isOwnRenderer(url)) {
      event.preventDefault();
      if (isSafeExternalUrl(url)) void shell.openExternal(url);
    }
  });
  wc.on('will-attach-webview', (event) => event.preventDefault());
}

export function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'PnF Studio',
    backgroundColor: '#15171c',
    webPreferences: {
      preload: join(__dirname, '../preload/preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  hardenContents(win.webContents);
  win.once('ready-to-show', () => win.show());
  // Closing: the page first saves what waits for its save delay (at most 5 s), so closing right
  // after an edit keeps it.
  let flushed = false;
  win.on('close', (event) => {
    if (flushed || win.webContents.isDestroyed()) return;
    event.preventDefault();
    const flush = win.webContents.executeJavaScript('globalThis.pnfFlushSave?.()', true);
    void Promise.race([flush, new Promise((ok) => setTimeout(ok, 5000))])
      .catch(() => undefined)
      .finally(() => {
        flushed = true;
        if (!win.isDestroyed()) win.close();
        // (holding the close back called off a quit in progress: Cmd+Q would leave the app running)
        if (quitting) app.quit();
      });
  });
  if (RENDERER_DEV_URL) void win.loadURL(RENDERER_DEV_URL);
  else void win.loadFile(join(__dirname, '../renderer/index.html'));
  return win;
}

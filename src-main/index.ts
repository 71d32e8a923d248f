// Composition root: app lifecycle, the window, handler registration. Nothing else.
import { app, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { CHANNELS } from '../src-shared/ipc/contract';
import { fail } from '../src-shared/ipc/result';
import { createDispatch } from './ipc/dispatch';
import { createHandlers } from './services';
import { createMainWindow, hardenSession, isOwnRenderer } from './window';
import { APP_VERSION } from './version';

app.enableSandbox();

function senderIsTrusted(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return !!frame && frame === event.sender.mainFrame && isOwnRenderer(frame.url);
}

function registerHandlers(): void {
  const dispatch = createDispatch(createHandlers({ host: 'electron', version: APP_VERSION }), (m) => console.error(m));
  for (const channel of Object.values(CHANNELS)) {
    ipcMain.handle(channel, async (event, payload: unknown) => {
      if (!senderIsTrusted(event)) return fail('FORBIDDEN', 'This request did not come from the PnF Studio window.');
      return dispatch(channel, payload);
    });
  }
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  void app.whenReady().then(() => {
    hardenSession();
    registerHandlers();
    createMainWindow();
    app.on('activate', () => {
      const { BrowserWindow } = require('electron') as typeof import('electron');
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow();
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

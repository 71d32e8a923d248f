// Composition root: app lifecycle, the window, handler registration. Nothing else.
import { app, BrowserWindow, dialog, ipcMain, shell, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { isTerminal, type EngineProgress } from '../src-shared/engine/progress';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHANNELS, EVENTS } from '../src-shared/ipc/contract';
import { fail } from '../src-shared/ipc/result';
import { createDispatch, type RequestContext } from './ipc/dispatch';
import { createHandlers, uniquePath } from './services';
import { createMainWindow, hardenSession } from './window';
import { isOwnRenderer } from './security';
import { ProjectStore } from './project/store';
import { EngineHost } from './engine';
import { APP_VERSION } from './version';

const here = dirname(fileURLToPath(import.meta.url));
/** Native code (ONNX Runtime) cannot read inside app.asar: models ship unpacked. */
const unpacked = (p: string) => p.replace(`app.asar${'/'}`, `app.asar.unpacked/`).replace('app.asar\\', 'app.asar.unpacked\\');

app.enableSandbox();
// Tests (and power users) can point the app at a fresh profile and project folder.
if (process.env['PNF_USER_DATA']) app.setPath('userData', process.env['PNF_USER_DATA']);

function senderIsTrusted(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return !!frame && frame === event.sender.mainFrame && isOwnRenderer(frame.url);
}

function registerHandlers(engine: EngineHost): void {
  const store = new ProjectStore(join(app.getPath('userData'), 'project'));
  const dispatch = createDispatch(
    createHandlers({
      host: 'electron',
      version: APP_VERSION,
      store,
      engine,
      chooseExportPath: async (name) => {
        const win = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
        // (the suggestion is a name nothing has yet: never the file the track came from)
        const defaultPath = await uniquePath(app.getPath('music'), name);
        const opts = { defaultPath, filters: [{ name: 'WAV audio', extensions: ['wav'] }], properties: ['showOverwriteConfirmation' as const] };
        const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
        return r.canceled || !r.filePath ? null : r.filePath;
      },
      reveal: async (path) => {
        shell.showItemInFolder(path);
        return true;
      },
    }),
    (m) => console.error(m),
  );
  // the jobs each page started and that have not ended: cancelled when that page goes (reloaded,
  // navigated, closed or crashed), as the web host does, so nobody's job keeps the engine busy
  const jobsOf = new Map<WebContents, Set<string>>();
  const cancelJobsOf = (wc: WebContents) => {
    for (const jobId of jobsOf.get(wc) ?? []) void dispatch(CHANNELS.jobCancel, { jobId }, { emit: () => {} }).catch(() => {});
    jobsOf.delete(wc);
  };
  const track = (wc: WebContents) => {
    if (jobsOf.has(wc)) return jobsOf.get(wc)!;
    const jobs = new Set<string>();
    jobsOf.set(wc, jobs);
    wc.on('did-start-navigation', (details) => {
      if (details.isMainFrame && !details.isSameDocument) cancelJobsOf(wc);
    });
    wc.once('render-process-gone', () => cancelJobsOf(wc));
    wc.once('destroyed', () => cancelJobsOf(wc));
    return jobs;
  };
  for (const channel of Object.values(CHANNELS)) {
    ipcMain.handle(channel, async (event, payload: unknown) => {
      if (!senderIsTrusted(event)) return fail('FORBIDDEN', 'This request did not come from the PnF Studio window.');
      const sender = event.sender;
      const ctx: RequestContext = {
        emit: (name, data) => {
          if (name === 'job:event' && isTerminal(data as EngineProgress)) jobsOf.get(sender)?.delete((data as EngineProgress).jobId);
          if (!sender.isDestroyed()) sender.send(name === 'job:event' ? EVENTS.job : EVENTS.progress, data);
        },
      };
      const result = await dispatch(channel, payload, ctx);
      if (channel === CHANNELS.jobStart && result.ok && !sender.isDestroyed()) track(sender).add((result.value as { jobId: string }).jobId);
      return result;
    });
  }
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  const engine = new EngineHost({
    // an engine that runs out of memory fails its job, not the app (or the machine)
    maxOldSpaceMb: 3072,
    workerPath: join(here, 'engine-worker.js'),
    modelDir: unpacked(join(here, '../../resources/models')),
    // one card for every source (the tiny test model in the Electron E2E test)
    ...(process.env['PNF_MODEL'] ? { model: resolve(process.env['PNF_MODEL']) } : {}),
  });
  void app.whenReady().then(() => {
    hardenSession();
    registerHandlers(engine);
    createMainWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow();
    });
  });
  // a second launch brings this window forward (the second instance has quit)
  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0];
    if (!win) return void (app.isReady() && createMainWindow());
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => void engine.dispose());
}

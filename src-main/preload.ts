/// <reference lib="dom" />
// Exposes the typed api: one function per channel, no generic send, no raw IPC objects.
// Bundled into ONE CommonJS file (sandboxed preloads cannot load modules).
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { CHANNELS, EVENTS } from '../src-shared/ipc/channels';
import type { Api, JobEvent, ProgressEvent } from '../src-shared/ipc/contract';

const invoke = (channel: string) => (request: unknown = {}) => ipcRenderer.invoke(channel, request);

const api: Api & { pathForFile(file: File): string } = {
  appInfo: () => invoke(CHANNELS.appInfo)(),
  importAudio: invoke(CHANNELS.audioImport),
  getAudio: invoke(CHANNELS.audioGet),
  restoreAudio: invoke(CHANNELS.audioRestore),
  openProject: () => invoke(CHANNELS.projectOpen)(),
  saveProject: invoke(CHANNELS.projectSave),
  acceptFill: invoke(CHANNELS.editAcceptFill),
  engineInfo: () => invoke(CHANNELS.engineInfo)(),
  startJob: invoke(CHANNELS.jobStart),
  cancelJob: invoke(CHANNELS.jobCancel),
  exportWav: invoke(CHANNELS.exportWav),
  reveal: invoke(CHANNELS.shellReveal),
  onJobEvent: (listener: (event: JobEvent) => void) => {
    // never hand the raw IpcRendererEvent to the page
    const wrapped = (_e: IpcRendererEvent, payload: JobEvent) => listener(payload);
    ipcRenderer.on(EVENTS.job, wrapped);
    return () => ipcRenderer.removeListener(EVENTS.job, wrapped);
  },
  onProgress: (listener: (event: ProgressEvent) => void) => {
    const wrapped = (_e: IpcRendererEvent, payload: ProgressEvent) => listener(payload);
    ipcRenderer.on(EVENTS.progress, wrapped);
    return () => ipcRenderer.removeListener(EVENTS.progress, wrapped);
  },
  /** The real path of a dropped or chosen file ('' when it has none). */
  pathForFile: (file: File) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('api', api);

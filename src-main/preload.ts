/// <reference lib="dom" />
// Exposes the typed api: one function per channel, no generic send, no raw IPC objects.
// Bundled into ONE CommonJS file (sandboxed preloads cannot load modules).
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { CHANNELS } from '../src-shared/ipc/channels';
import type { Api, AudioImportRequest } from '../src-shared/ipc/contract';

const api: Api & { pathForFile(file: File): string } = {
  appInfo: () => ipcRenderer.invoke(CHANNELS.appInfo, {}),
  importAudio: (request: AudioImportRequest) => ipcRenderer.invoke(CHANNELS.audioImport, request),
  /** The real path of a dropped or chosen file ('' when it has none). */
  pathForFile: (file: File) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('api', api);

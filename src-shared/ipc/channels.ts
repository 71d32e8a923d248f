// Channel names (`domain:action`), kept apart from the schemas so the sandboxed preload
// bundles only these constants.
export const CHANNELS = {
  appInfo: 'app:info',
  audioImport: 'audio:import',
  audioGet: 'audio:get',
  audioRestore: 'audio:restore',
  projectOpen: 'project:open',
  projectSave: 'project:save',
  editAcceptFill: 'edit:accept-fill',
  engineInfo: 'engine:info',
  jobStart: 'job:start',
  jobCancel: 'job:cancel',
  exportWav: 'export:wav',
  shellReveal: 'shell:reveal',
} as const;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

/** Events pushed from the main side to the renderer. */
export const EVENTS = {
  job: 'job:event',
  /** Progress of long main-side work that is not an engine job (e.g. an export). */
  progress: 'progress:event',
} as const;

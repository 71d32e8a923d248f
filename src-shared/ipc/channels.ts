// Channel names (`domain:action`), kept apart from the schemas so the sandboxed preload
// bundles only these constants.
export const CHANNELS = {
  appInfo: 'app:info',
  audioImport: 'audio:import',
} as const;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

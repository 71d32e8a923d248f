// Public surface of the engine (for IPC handlers, the web host and the CLI).
export { EngineHost, type JobHandle, type TerminalEvent, type EngineHostOptions } from './host/host';
export type { EngineInfo, ModelInfo, EngineOptions } from './host/protocol';
export { runJob, runJobWithEvents, validateRequest, ModelSet, type TaskEnv, type PriorSource } from './tasks';
export { chooseDevice, availableDevices, type DeviceChoice } from './device';
export { loadPrior, listCards, defaultModelDir, checkParity, type ScorePrior, type ModelCard } from './prior';
export { sample, meanLogp, type SamplerOptions } from './sampler';

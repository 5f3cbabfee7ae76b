// Codes of the emulator's diagnostics: why a project cannot boot, and what is wrong with a config.

export const EMULATOR_CODES = {
  'emulator-boot': 'the project cannot boot: no serial wiring, no tree or initrd to load, or loading failed',
  'emulator-guest-fault': 'a guest of the running session stopped on a device its tree enables and its VM does not map',
  'real-components': 'real components cannot be built or run (no compiler, no sources, an sDDF without the component): the models run instead',
  'emulator-config': 'an emulator configuration that contradicts itself (regions, queues, priorities)',
} as const;

export type EmulatorCode = keyof typeof EMULATOR_CODES;

declare module '../common/diagnostics' {
  interface DiagnosticCodes extends Record<EmulatorCode, true> {}
}

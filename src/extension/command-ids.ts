// The emulator's command ids and settings, without `vscode`, so a unit test can hold them against
// the manifest (package.json contributes).

export const COMMANDS = {
  boot: 'microkitDualGuest.boot',
  stop: 'microkitDualGuest.stop',
  pauseResume: 'microkitDualGuest.pauseResume',
  resetGuest: 'microkitDualGuest.resetGuest',
  switchInput: 'microkitDualGuest.switchInput',
  openQueueInspector: 'microkitDualGuest.openQueueInspector',
  saveSerialLog: 'microkitDualGuest.saveSerialLog',
  saveRecording: 'microkitDualGuest.saveRecording',
  exportTrace: 'microkitDualGuest.exportTrace',
  replayRecording: 'microkitDualGuest.replayRecording',
  restart: 'microkitDualGuest.restart',
  openExample: 'microkitDualGuest.openExample',
  showTerminals: 'microkitDualGuest.showTerminals',
  explainLog: 'microkitDualGuest.explainLog',
  showSystemView: 'microkitDualGuest.showSystemView',
} as const;

/** Settings under this section (package.json contributes.configuration). */
export const SECTION = 'microkitDualGuest.emulator';
export const EMULATOR_SETTINGS = {
  speed: 'speed',
  colour: 'colour',
  serialLogFile: 'serialLogFile',
  switchCharacter: 'switchCharacter',
  components: 'components',
} as const;

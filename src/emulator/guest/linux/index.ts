// The Linux guest model: the GuestProgram the emulator runs on each VM's vCPU by default.
export { createLinuxGuest, formatLogLine, LinuxGuest, PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET, type LinuxGuestOptions, type LinuxGuestPhase } from './linux-guest';
export {
  DEFAULT_LINUX_DRIVERS,
  driverList,
  driversForCompatibles,
  matchDriver,
  type DriverListSetting,
  type DriverRole,
  type LinuxDriver,
  type RegisterAccess,
} from './drivers';

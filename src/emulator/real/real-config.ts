// What the emulator's configuration says about real components (EmulatorConfig.real): the modules
// to run and the sDDF layout they were built with. Apart from system.ts so that config.ts needs no
// import of the code that runs them.
import type { SddfLayout } from './layout';

export type RealRole = 'driver' | 'virtRx' | 'virtTx' | 'client' | 'vmm';

export interface RealPdModule {
  pd: string;
  role: RealRole;
  /** Linked at SharedAddressSpace.slotBase(slot); a VMM spans VMM_SLOTS slots from there. */
  slot: number;
  wasm: Uint8Array;
}

export interface RealComponentsConfig {
  layout: SddfLayout;
  pds: RealPdModule[];
}

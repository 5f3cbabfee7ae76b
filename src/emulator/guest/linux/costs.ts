// Virtual CPU time the Linux model charges for its work (nanoseconds), in the range of a
// Cortex-A53 at ~1.5 GHz. They decide how fast `yes` floods and how long a boot takes in virtual
// time; they are not measured, only plausible. The emulator's own costs (the VMM handling a trap)
// are charged by the emulator, not here.

/** A system call round trip (entry, dispatch, return). */
export const SYSCALL_NS = 300;
/** Per byte through the tty layer and into the console's buffer (copy, ONLCR, bookkeeping). */
export const TTY_BYTE_NS = 4;
/** The guest's side of one device register access (a trap's exit and entry for emulated ones). */
export const MMIO_ACCESS_NS = 150;
/** Exception entry, GIC acknowledge, handler dispatch and return, per interrupt taken. */
export const IRQ_ENTRY_NS = 1_500;
/** Formatting one kernel log line (vsnprintf, log buffer store). */
export const PRINTK_LINE_NS = 2_000;
/** Probe bookkeeping for one device beyond its register accesses (driver core, devres, sysfs). */
export const DRIVER_PROBE_NS = 25_000;
/** fork + exec of a BusyBox applet from the shell. */
export const FORK_EXEC_NS = 250_000;
/** Kernel start-up work that touches no device (page tables, slab, scheduler, VFS, initcalls). */
export const KERNEL_INIT_NS = 40_000_000;
/** Unpacking the initramfs, per MiB of initrd. */
export const INITRD_UNPACK_NS_PER_MIB = 1_000_000;
/** Userspace start-up (init, the rcS scripts: syslogd, klogd, sysctl) before getty. */
export const USERSPACE_INIT_NS = 60_000_000;
/** Parsing the DTB, per KiB of blob. */
export const FDT_PARSE_NS_PER_KIB = 20_000;

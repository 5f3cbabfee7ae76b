// The flattened device tree format (devicetree specification, chapter 5): the numbers both the DTB
// writer and the DTB reader (and the VMM's magic check) agree on.

export const FDT_MAGIC = 0xd00dfeed;

/** Structure-block tokens (big-endian u32). */
export const FDT_BEGIN_NODE = 1;
export const FDT_END_NODE = 2;
export const FDT_PROP = 3;
export const FDT_NOP = 4;
export const FDT_END = 9;

/** Header sizes: version 17 has ten u32 fields; version 16 lacks size_dt_struct. */
export const FDT_HEADER_V17_SIZE = 40;
export const FDT_HEADER_V16_SIZE = 36;

/** What dtc writes: version 17, compatible back to 16. */
export const FDT_VERSION = 17;
export const FDT_LAST_COMP_VERSION = 16;

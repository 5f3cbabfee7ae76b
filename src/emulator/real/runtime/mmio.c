/*
 * Device windows for a driver PD. The emulator rewrites every load and store of the driver's own
 * code (src/emulator/real/mmio-rewrite.ts) into a call to one of the functions below: an access
 * inside the device window goes to the emulated device (a read of a FIFO register pops a byte), any
 * other access is the plain load or store it was. These functions are not rewritten themselves.
 * The window (base and size in the shared memory) is set by the emulator before init().
 */
#include <stdint.h>
#include <stddef.h>

/* 32-bit values across the boundary (no BigInt per access); 64-bit accesses are two of them. */
__attribute__((import_module("microkit"), import_name("mmio_read"))) uint32_t __emu_mmio_read32(uint32_t addr, uint32_t width);
__attribute__((import_module("microkit"), import_name("mmio_write"))) void __emu_mmio_write32(uint32_t addr, uint32_t width, uint32_t value);

static uint64_t __emu_mmio_read(uint32_t addr, uint32_t width)
{
    if (width == 8) {
        uint64_t lo = __emu_mmio_read32(addr, 4);
        return lo | (uint64_t)__emu_mmio_read32(addr + 4, 4) << 32;
    }
    return __emu_mmio_read32(addr, width);
}

static void __emu_mmio_write(uint32_t addr, uint32_t width, uint64_t value)
{
    if (width == 8) {
        __emu_mmio_write32(addr, 4, (uint32_t)value);
        __emu_mmio_write32(addr + 4, 4, (uint32_t)(value >> 32));
        return;
    }
    __emu_mmio_write32(addr, width, (uint32_t)value);
}

uint32_t __emu_mmio_window[2];

__attribute__((export_name("__emu_mmio_window_address"))) uint32_t *__emu_mmio_window_address(void)
{
    return __emu_mmio_window;
}

static inline int in_window(uint32_t ea, uint32_t n)
{
    /* [ea, ea + n) overlaps [base, base + size) (64-bit sums: no wrap at the top of memory). */
    uint64_t base = __emu_mmio_window[0];
    return (uint64_t)ea < base + __emu_mmio_window[1] && base < (uint64_t)ea + n;
}

/* A load of a `mem` from memory, extended to `ret` (the wasm value type). */
#define LOAD(name, ret, mem)                                                        \
    __attribute__((export_name(#name))) ret name##_fn(uint32_t addr, uint32_t off)  \
    {                                                                               \
        uint32_t ea = addr + off;                                                   \
        if (in_window(ea, sizeof(mem))) {                                           \
            return (ret)(mem)__emu_mmio_read(ea, sizeof(mem));                      \
        }                                                                           \
        mem v;                                                                      \
        __builtin_memcpy(&v, (const void *)ea, sizeof v);                           \
        return (ret)v;                                                              \
    }

/* A store of the low `mem` of a `val` (the wasm value type). */
#define STORE(name, val, mem)                                                                   \
    __attribute__((export_name(#name))) void name##_fn(uint32_t addr, val v, uint32_t off)      \
    {                                                                                           \
        uint32_t ea = addr + off;                                                               \
        mem m = (mem)v;                                                                         \
        if (in_window(ea, sizeof(mem))) {                                                       \
            __emu_mmio_write(ea, sizeof(mem), (uint64_t)m);                                     \
            return;                                                                             \
        }                                                                                       \
        __builtin_memcpy((void *)ea, &m, sizeof m);                                             \
    }

/* Loads and stores by their wasm opcode's meaning (the narrow ones by what they extend to). */
LOAD(__emu_ld_i32, uint32_t, uint32_t)
LOAD(__emu_ld_i64, uint64_t, uint64_t)
LOAD(__emu_ld_i32_8s, int32_t, int8_t)
LOAD(__emu_ld_i32_8u, uint32_t, uint8_t)
LOAD(__emu_ld_i32_16s, int32_t, int16_t)
LOAD(__emu_ld_i32_16u, uint32_t, uint16_t)
LOAD(__emu_ld_i64_8s, int64_t, int8_t)
LOAD(__emu_ld_i64_8u, uint64_t, uint8_t)
LOAD(__emu_ld_i64_16s, int64_t, int16_t)
LOAD(__emu_ld_i64_16u, uint64_t, uint16_t)
LOAD(__emu_ld_i64_32s, int64_t, int32_t)
LOAD(__emu_ld_i64_32u, uint64_t, uint32_t)
STORE(__emu_st_i32, uint32_t, uint32_t)
STORE(__emu_st_i64, uint64_t, uint64_t)
STORE(__emu_st_i32_8, uint32_t, uint8_t)
STORE(__emu_st_i32_16, uint32_t, uint16_t)
STORE(__emu_st_i64_8, uint64_t, uint8_t)
STORE(__emu_st_i64_16, uint64_t, uint16_t)
STORE(__emu_st_i64_32, uint64_t, uint32_t)

/* Floats: the same bits through the integer path. */
__attribute__((export_name("__emu_ld_f32"))) float __emu_ld_f32_fn(uint32_t addr, uint32_t off)
{
    uint32_t bits = __emu_ld_i32_fn(addr, off);
    float f;
    __builtin_memcpy(&f, &bits, 4);
    return f;
}

__attribute__((export_name("__emu_ld_f64"))) double __emu_ld_f64_fn(uint32_t addr, uint32_t off)
{
    uint64_t bits = __emu_ld_i64_fn(addr, off);
    double d;
    __builtin_memcpy(&d, &bits, 8);
    return d;
}

__attribute__((export_name("__emu_st_f32"))) void __emu_st_f32_fn(uint32_t addr, float v, uint32_t off)
{
    uint32_t bits;
    __builtin_memcpy(&bits, &v, 4);
    __emu_st_i32_fn(addr, bits, off);
}

__attribute__((export_name("__emu_st_f64"))) void __emu_st_f64_fn(uint32_t addr, double v, uint32_t off)
{
    uint64_t bits;
    __builtin_memcpy(&bits, &v, 8);
    __emu_st_i64_fn(addr, bits, off);
}

/* memory.copy and memory.fill: byte by byte through the device when they touch the window. */
__attribute__((export_name("__emu_memory_copy"))) void __emu_memory_copy_fn(uint32_t dst, uint32_t src, uint32_t n)
{
    if (n == 0 || (!in_window(dst, n) && !in_window(src, n))) {
        __builtin_memmove((void *)dst, (const void *)src, n);
        return;
    }
    /* Forwards (the order a device sees), backwards only where an overlap needs it. */
    if (dst <= src || (uint64_t)dst >= (uint64_t)src + n) {
        for (uint32_t i = 0; i < n; i++) {
            __emu_st_i32_8_fn(dst + i, __emu_ld_i32_8u_fn(src + i, 0), 0);
        }
    } else {
        for (uint32_t i = n; i-- > 0;) {
            __emu_st_i32_8_fn(dst + i, __emu_ld_i32_8u_fn(src + i, 0), 0);
        }
    }
}

__attribute__((export_name("__emu_memory_fill"))) void __emu_memory_fill_fn(uint32_t dst, uint32_t value, uint32_t n)
{
    if (n == 0 || !in_window(dst, n)) {
        __builtin_memset((void *)dst, (int)value, n);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        __emu_st_i32_8_fn(dst + i, (uint8_t)value, 0);
    }
}

/*
 * libvmm is written for LP64 (aarch64): it prints size_t, uint64_t and seL4_Word values alike with
 * %lx. On wasm32 `long` and size_t are 32 bits while uint64_t is 64, so a varargs list mixes widths
 * that one format cannot tell apart. For VMM builds this header is included first (-include): every
 * printf argument is widened to 64 bits at the call, and __emu_lp64_printf reads each one so,
 * formatting it with sDDF's printf as a board would print it (%x of an int: 32 bits; %lx: 64).
 */
#pragma once

int __emu_lp64_printf(const char *format, int count, ...);

/* An argument as a 64-bit word: integers widened (signed ones sign-extended), pointers zero-extended. */
#define __EMU_LP64_ARG(x) _Generic((x), \
    char *: (unsigned long long)(unsigned long)(x), \
    const char *: (unsigned long long)(unsigned long)(x), \
    void *: (unsigned long long)(unsigned long)(x), \
    const void *: (unsigned long long)(unsigned long)(x), \
    default: (unsigned long long)(x))

#define __EMU_LP64_P0(f) __emu_lp64_printf(f, 0)
#define __EMU_LP64_P1(f, a1) __emu_lp64_printf(f, 1, __EMU_LP64_ARG(a1))
#define __EMU_LP64_P2(f, a1, a2) __emu_lp64_printf(f, 2, __EMU_LP64_ARG(a1), __EMU_LP64_ARG(a2))
#define __EMU_LP64_P3(f, a1, a2, a3) __emu_lp64_printf(f, 3, __EMU_LP64_ARG(a1), __EMU_LP64_ARG(a2), __EMU_LP64_ARG(a3))
#define __EMU_LP64_P4(f, a1, a2, a3, a4) __emu_lp64_printf(f, 4, __EMU_LP64_ARG(a1), __EMU_LP64_ARG(a2), __EMU_LP64_ARG(a3), __EMU_LP64_ARG(a4))
#define __EMU_LP64_P5(f, a1, a2, a3, a4, a5) __emu_lp64_printf(f, 5, __EMU_LP64_ARG(a1), __EMU_LP64_ARG(a2), __EMU_LP64_ARG(a3), __EMU_LP64_ARG(a4), __EMU_LP64_ARG(a5))
#define __EMU_LP64_P6(f, a1, a2, a3, a4, a5, a6) __emu_lp64_printf(f, 6, __EMU_LP64_ARG(a1), __EMU_LP64_ARG(a2), __EMU_LP64_ARG(a3), __EMU_LP64_ARG(a4), __EMU_LP64_ARG(a5), __EMU_LP64_ARG(a6))
#define __EMU_LP64_P7(f, a1, a2, a3, a4, a5, a6, a7) __emu_lp64_printf(f, 7, __EMU_LP64_ARG(a1), __EMU_LP64_ARG(a2), __EMU_LP64_ARG(a3), __EMU_LP64_ARG(a4), __EMU_LP64_ARG(a5), __EMU_LP64_ARG(a6), __EMU_LP64_ARG(a7))
#define __EMU_LP64_P8(f, a1, a2, a3, a4, a5, a6, a7, a8) __emu_lp64_printf(f, 8, __EMU_LP64_ARG(a1), __EMU_LP64_ARG(a2), __EMU_LP64_ARG(a3), __EMU_LP64_ARG(a4), __EMU_LP64_ARG(a5), __EMU_LP64_ARG(a6), __EMU_LP64_ARG(a7), __EMU_LP64_ARG(a8))
#define __EMU_LP64_P9(f, a1, a2, a3, a4, a5, a6, a7, a8, a9) __emu_lp64_printf(f, 9, __EMU_LP64_ARG(a1), __EMU_LP64_ARG(a2), __EMU_LP64_ARG(a3), __EMU_LP64_ARG(a4), __EMU_LP64_ARG(a5), __EMU_LP64_ARG(a6), __EMU_LP64_ARG(a7), __EMU_LP64_ARG(a8), __EMU_LP64_ARG(a9))
#define __EMU_LP64_P10(f, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10) __emu_lp64_printf(f, 10, __EMU_LP64_ARG(a1), __EMU_LP64_ARG(a2), __EMU_LP64_ARG(a3), __EMU_LP64_ARG(a4), __EMU_LP64_ARG(a5), __EMU_LP64_ARG(a6), __EMU_LP64_ARG(a7), __EMU_LP64_ARG(a8), __EMU_LP64_ARG(a9), __EMU_LP64_ARG(a10))
#define __EMU_LP64_P11(f, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11) __emu_lp64_printf(f, 11, __EMU_LP64_ARG(a1), __EMU_LP64_ARG(a2), __EMU_LP64_ARG(a3), __EMU_LP64_ARG(a4), __EMU_LP64_ARG(a5), __EMU_LP64_ARG(a6), __EMU_LP64_ARG(a7), __EMU_LP64_ARG(a8), __EMU_LP64_ARG(a9), __EMU_LP64_ARG(a10), __EMU_LP64_ARG(a11))
#define __EMU_LP64_P12(f, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12) __emu_lp64_printf(f, 12, __EMU_LP64_ARG(a1), __EMU_LP64_ARG(a2), __EMU_LP64_ARG(a3), __EMU_LP64_ARG(a4), __EMU_LP64_ARG(a5), __EMU_LP64_ARG(a6), __EMU_LP64_ARG(a7), __EMU_LP64_ARG(a8), __EMU_LP64_ARG(a9), __EMU_LP64_ARG(a10), __EMU_LP64_ARG(a11), __EMU_LP64_ARG(a12))
#define __EMU_LP64_P13(f, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13) __emu_lp64_printf(f, 13, __EMU_LP64_ARG(a1), __EMU_LP64_ARG(a2), __EMU_LP64_ARG(a3), __EMU_LP64_ARG(a4), __EMU_LP64_ARG(a5), __EMU_LP64_ARG(a6), __EMU_LP64_ARG(a7), __EMU_LP64_ARG(a8), __EMU_LP64_ARG(a9), __EMU_LP64_ARG(a10), __EMU_LP64_ARG(a11), __EMU_LP64_ARG(a12), __EMU_LP64_ARG(a13))
#define __EMU_LP64_P14(f, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14) __emu_lp64_printf(f, 14, __EMU_LP64_ARG(a1), __EMU_LP64_ARG(a2), __EMU_LP64_ARG(a3), __EMU_LP64_ARG(a4), __EMU_LP64_ARG(a5), __EMU_LP64_ARG(a6), __EMU_LP64_ARG(a7), __EMU_LP64_ARG(a8), __EMU_LP64_ARG(a9), __EMU_LP64_ARG(a10), __EMU_LP64_ARG(a11), __EMU_LP64_ARG(a12), __EMU_LP64_ARG(a13), __EMU_LP64_ARG(a14))
#define __EMU_LP64_P15(f, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15) __emu_lp64_printf(f, 15, __EMU_LP64_ARG(a1), __EMU_LP64_ARG(a2), __EMU_LP64_ARG(a3), __EMU_LP64_ARG(a4), __EMU_LP64_ARG(a5), __EMU_LP64_ARG(a6), __EMU_LP64_ARG(a7), __EMU_LP64_ARG(a8), __EMU_LP64_ARG(a9), __EMU_LP64_ARG(a10), __EMU_LP64_ARG(a11), __EMU_LP64_ARG(a12), __EMU_LP64_ARG(a13), __EMU_LP64_ARG(a14), __EMU_LP64_ARG(a15))
#define __EMU_LP64_P16(f, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16) __emu_lp64_printf(f, 16, __EMU_LP64_ARG(a1), __EMU_LP64_ARG(a2), __EMU_LP64_ARG(a3), __EMU_LP64_ARG(a4), __EMU_LP64_ARG(a5), __EMU_LP64_ARG(a6), __EMU_LP64_ARG(a7), __EMU_LP64_ARG(a8), __EMU_LP64_ARG(a9), __EMU_LP64_ARG(a10), __EMU_LP64_ARG(a11), __EMU_LP64_ARG(a12), __EMU_LP64_ARG(a13), __EMU_LP64_ARG(a14), __EMU_LP64_ARG(a15), __EMU_LP64_ARG(a16))
#define __EMU_LP64_PICK(_f, _1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, which, ...) which
#define printf(...) __EMU_LP64_PICK(__VA_ARGS__, __EMU_LP64_P16, __EMU_LP64_P15, __EMU_LP64_P14, __EMU_LP64_P13, __EMU_LP64_P12, __EMU_LP64_P11, __EMU_LP64_P10, __EMU_LP64_P9, __EMU_LP64_P8, __EMU_LP64_P7, __EMU_LP64_P6, __EMU_LP64_P5, __EMU_LP64_P4, __EMU_LP64_P3, __EMU_LP64_P2, __EMU_LP64_P1, __EMU_LP64_P0)(__VA_ARGS__)

/*
 * The few seL4 declarations that sDDF and Microkit PD code include, for PDs the emulator runs as
 * WebAssembly (wasm32). Written from the seL4 manual's interface; the emulator's kernel model is the
 * implementation. seL4_Word keeps the 64-bit width of the boards these PDs are written for.
 */
#pragma once

#include <stdint.h>
#include <stdbool.h>

typedef uint8_t seL4_Uint8;
typedef uint16_t seL4_Uint16;
typedef uint32_t seL4_Uint32;
typedef uint64_t seL4_Uint64;
typedef uint64_t seL4_Word;
typedef seL4_Word seL4_CPtr;
typedef seL4_Uint8 seL4_Bool;
typedef int seL4_Error;

#define seL4_True 1
#define seL4_False 0
#define seL4_NoError 0
#define seL4_MsgMaxLength 120

/* A message's tag: label (upper bits), capsUnwrapped, extraCaps and length (lowest 7 bits). */
typedef struct seL4_MessageInfo {
    seL4_Word words[1];
} seL4_MessageInfo_t;

static inline seL4_MessageInfo_t seL4_MessageInfo_new(seL4_Word label, seL4_Word capsUnwrapped, seL4_Word extraCaps,
                                                      seL4_Word length)
{
    seL4_MessageInfo_t info;
    info.words[0] = (label << 12) | ((capsUnwrapped & 0x7) << 9) | ((extraCaps & 0x3) << 7) | (length & 0x7f);
    return info;
}

static inline seL4_Word seL4_MessageInfo_get_label(seL4_MessageInfo_t info)
{
    return info.words[0] >> 12;
}

static inline seL4_Word seL4_MessageInfo_get_length(seL4_MessageInfo_t info)
{
    return info.words[0] & 0x7f;
}

/* The IPC buffer's message registers; the emulator reads and writes them around a call. */
extern seL4_Word __emu_message_registers[seL4_MsgMaxLength];

static inline seL4_Word seL4_GetMR(int i)
{
    return __emu_message_registers[i];
}

static inline void seL4_SetMR(int i, seL4_Word value)
{
    __emu_message_registers[i] = value;
}

/* The kernel's debug console: the emulator's log, one line at a time. */
void seL4_DebugPutChar(char c);

/* The aarch64 TCB, VCPU, fault and SMC interface a VMM uses. */
#include <sel4/arch.h>

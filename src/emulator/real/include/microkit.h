/*
 * libmicrokit's interface (Microkit 2.x manual, "libmicrokit" chapter) for protection domains the
 * emulator runs as WebAssembly. Entry points are exported by the PD's module; every kernel service
 * is an import from the emulator's kernel model ("microkit" module).
 */
#pragma once

#include <sel4/sel4.h>

typedef unsigned int microkit_channel;
typedef unsigned int microkit_child;
typedef seL4_MessageInfo_t microkit_msginfo;

#define MICROKIT_MAX_CHANNELS 62
#define MICROKIT_MAX_CHANNEL_ID (MICROKIT_MAX_CHANNELS - 1)
#define MICROKIT_PD_NAME_LENGTH 64
/* The capability slot of channel 0's notification; sDDF computes channel ids from it. */
#define BASE_OUTPUT_NOTIFICATION_CAP 10

void init(void);
void notified(microkit_channel ch);
microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo);
seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo);

/* Filled by the emulator before init(), as the Microkit tool patches it into the image. */
extern char microkit_name[MICROKIT_PD_NAME_LENGTH];

/* The one signal a handler may defer to its return (libmicrokit sends it with the reply-receive). */
extern seL4_Bool microkit_have_signal;
extern seL4_CPtr microkit_signal_cap;
extern seL4_MessageInfo_t microkit_signal_msg;

#define MICROKIT_IMPORT(name) __attribute__((import_module("microkit"), import_name(name)))

MICROKIT_IMPORT("notify") void __emu_notify(microkit_channel ch);
MICROKIT_IMPORT("irq_ack") void __emu_irq_ack(microkit_channel ch);
/* Message registers travel through __emu_message_registers; returns the reply's tag word. */
MICROKIT_IMPORT("ppcall") seL4_Word __emu_ppcall(microkit_channel ch, seL4_Word tag);
MICROKIT_IMPORT("dbg_putc") void microkit_dbg_putc(int c);

void microkit_dbg_puts(const char *s);

static inline void microkit_notify(microkit_channel ch)
{
    __emu_notify(ch);
}

static inline void microkit_irq_ack(microkit_channel ch)
{
    __emu_irq_ack(ch);
}

static inline microkit_msginfo microkit_ppcall(microkit_channel ch, microkit_msginfo msginfo)
{
    microkit_msginfo reply;
    reply.words[0] = __emu_ppcall(ch, msginfo.words[0]);
    return reply;
}

static inline microkit_msginfo microkit_msginfo_new(seL4_Word label, seL4_Uint16 count)
{
    return seL4_MessageInfo_new(label, 0, 0, count);
}

static inline seL4_Word microkit_msginfo_get_label(microkit_msginfo msginfo)
{
    return seL4_MessageInfo_get_label(msginfo);
}

static inline seL4_Word microkit_msginfo_get_count(microkit_msginfo msginfo)
{
    return seL4_MessageInfo_get_length(msginfo);
}

static inline void microkit_mr_set(seL4_Uint8 mr, seL4_Word value)
{
    seL4_SetMR(mr, value);
}

static inline seL4_Word microkit_mr_get(seL4_Uint8 mr)
{
    return seL4_GetMR(mr);
}

/*
 * Deferred calls: one signal held for the handler's return (libmicrokit sends it with its
 * reply-receive); a later deferred call replaces an earlier one. The runtime sends it.
 */
#define BASE_IRQ_CAP 138

static inline void microkit_deferred_notify(microkit_channel ch)
{
    microkit_have_signal = 1;
    microkit_signal_msg = seL4_MessageInfo_new(0, 0, 0, 0);
    microkit_signal_cap = BASE_OUTPUT_NOTIFICATION_CAP + ch;
}

static inline void microkit_deferred_irq_ack(microkit_channel ch)
{
    microkit_have_signal = 1;
    microkit_signal_msg = seL4_MessageInfo_new(0, 0, 0, 0);
    microkit_signal_cap = BASE_IRQ_CAP + ch;
}

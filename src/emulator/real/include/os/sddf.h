/*
 * sDDF's OS interface (the functions of sDDF's include/<os>/sddf.h) over the emulator's
 * libmicrokit: PDs built for the emulator include this one in place of sDDF's Microkit layer.
 */
#pragma once

#include <microkit.h>
#include <sel4/sel4.h>
#include <stdint.h>

typedef microkit_channel sddf_channel;

#define SDDF_NAME_LENGTH MICROKIT_PD_NAME_LENGTH

static inline char *sddf_get_pd_name(void)
{
    return microkit_name;
}

static inline void sddf_notify(sddf_channel ch)
{
    microkit_notify(ch);
}

static inline void sddf_deferred_notify(sddf_channel ch)
{
    microkit_deferred_notify(ch);
}

static inline void sddf_irq_ack(sddf_channel ch)
{
    microkit_irq_ack(ch);
}

static inline void sddf_deferred_irq_ack(sddf_channel ch)
{
    microkit_deferred_irq_ack(ch);
}

/* The channel of the signal held for the handler's return, or -1 (as unsigned) when none is. */
static inline unsigned int sddf_deferred_notify_curr(void)
{
    if (!microkit_have_signal) {
        return (unsigned int)-1;
    }
    return (unsigned int)(microkit_signal_cap - BASE_OUTPUT_NOTIFICATION_CAP);
}

static inline microkit_msginfo sddf_ppcall(sddf_channel ch, microkit_msginfo msginfo)
{
    return microkit_ppcall(ch, msginfo);
}

static inline uint64_t sddf_get_mr(unsigned int n)
{
    return seL4_GetMR((int)n);
}

static inline void sddf_set_mr(unsigned int n, uint64_t value)
{
    seL4_SetMR((int)n, value);
}

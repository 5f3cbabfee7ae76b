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
/*
 * Capability slots Microkit gives a PD (libmicrokit's layout): channel 0's notification (sDDF
 * computes channel ids from it), the SMC capability, and the TCB and VCPU objects of a VM's vCPUs.
 */
#define ARM_SMC_CAP 7
#define BASE_OUTPUT_NOTIFICATION_CAP 10
#define BASE_VM_TCB_CAP 266
#define BASE_VCPU_CAP 330

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

/*
 * A VM's vCPUs (Microkit manual, "libmicrokit": the API for PDs that manage a virtual machine).
 * Each call is the seL4 invocation the manual names, on the vCPU's TCB or VCPU object; an error
 * crashes the PD, as libmicrokit's do.
 */
static inline void microkit_internal_crash(seL4_Error err)
{
    (void)err;
    __builtin_trap();
}

static inline void microkit_vcpu_restart(microkit_child vcpu, seL4_Word entry_point)
{
    seL4_UserContext ctxt = {0};
    ctxt.pc = entry_point;
    seL4_Error err = seL4_TCB_WriteRegisters(BASE_VM_TCB_CAP + vcpu, 1, 0, 1, &ctxt);
    if (err != seL4_NoError) {
        microkit_dbg_puts("microkit_vcpu_restart: error writing registers\n");
        microkit_internal_crash(err);
    }
}

static inline void microkit_vcpu_stop(microkit_child vcpu)
{
    seL4_Error err = seL4_TCB_Suspend(BASE_VM_TCB_CAP + vcpu);
    if (err != seL4_NoError) {
        microkit_dbg_puts("microkit_vcpu_stop: error suspending TCB\n");
        microkit_internal_crash(err);
    }
}

static inline void microkit_vcpu_arm_inject_irq(microkit_child vcpu, seL4_Uint16 irq, seL4_Uint8 priority,
                                                seL4_Uint8 group, seL4_Uint8 index)
{
    seL4_Error err = seL4_ARM_VCPU_InjectIRQ(BASE_VCPU_CAP + vcpu, irq, priority, group, index);
    if (err != seL4_NoError) {
        microkit_dbg_puts("microkit_vcpu_arm_inject_irq: error injecting IRQ\n");
        microkit_internal_crash(err);
    }
}

static inline void microkit_vcpu_arm_ack_vppi(microkit_child vcpu, seL4_Word irq)
{
    seL4_Error err = seL4_ARM_VCPU_AckVPPI(BASE_VCPU_CAP + vcpu, irq);
    if (err != seL4_NoError) {
        microkit_dbg_puts("microkit_vcpu_arm_ack_vppi: error acking VPPI\n");
        microkit_internal_crash(err);
    }
}

static inline seL4_Word microkit_vcpu_arm_read_reg(microkit_child vcpu, seL4_Word reg)
{
    seL4_ARM_VCPU_ReadRegs_t ret = seL4_ARM_VCPU_ReadRegs(BASE_VCPU_CAP + vcpu, reg);
    if (ret.error != seL4_NoError) {
        microkit_dbg_puts("microkit_vcpu_arm_read_reg: error reading vCPU register\n");
        microkit_internal_crash(ret.error);
    }
    return ret.value;
}

static inline void microkit_vcpu_arm_write_reg(microkit_child vcpu, seL4_Word reg, seL4_Word value)
{
    seL4_Error err = seL4_ARM_VCPU_WriteRegs(BASE_VCPU_CAP + vcpu, reg, value);
    if (err != seL4_NoError) {
        microkit_dbg_puts("microkit_vcpu_arm_write_reg: error writing vCPU register\n");
        microkit_internal_crash(err);
    }
}

static inline void microkit_arm_smc_call(seL4_ARM_SMCContext *args, seL4_ARM_SMCContext *response)
{
    seL4_Error err = seL4_ARM_SMC_Call(ARM_SMC_CAP, args, response);
    if (err != seL4_NoError) {
        microkit_dbg_puts("microkit_arm_smc_call: error making SMC call\n");
        microkit_internal_crash(err);
    }
}

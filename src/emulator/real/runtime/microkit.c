/*
 * The PD side of libmicrokit for the emulator: the variables the Microkit tool and the kernel fill,
 * the message registers, the debug console, and the entry points the emulator calls. Each entry
 * runs the PD's handler and then sends the signal it deferred, as libmicrokit's event loop does
 * with its reply-receive.
 */
#include <microkit.h>

char microkit_name[MICROKIT_PD_NAME_LENGTH];
seL4_Bool microkit_have_signal;
seL4_CPtr microkit_signal_cap;
seL4_MessageInfo_t microkit_signal_msg;
seL4_Word __emu_message_registers[seL4_MsgMaxLength];

void seL4_DebugPutChar(char c)
{
    microkit_dbg_putc(c);
}

void microkit_dbg_puts(const char *s)
{
    while (*s) {
        microkit_dbg_putc(*s++);
    }
}

static void send_deferred(void)
{
    if (!microkit_have_signal) {
        return;
    }
    microkit_have_signal = 0;
    if (microkit_signal_cap >= BASE_IRQ_CAP) {
        __emu_irq_ack((microkit_channel)(microkit_signal_cap - BASE_IRQ_CAP));
    } else {
        __emu_notify((microkit_channel)(microkit_signal_cap - BASE_OUTPUT_NOTIFICATION_CAP));
    }
}

/* The emulator's way into the PD (exported; the PD's own init/notified stay ordinary C). */
__attribute__((export_name("__emu_init"))) void __emu_init(void)
{
    init();
    send_deferred();
}

__attribute__((export_name("__emu_notified"))) void __emu_notified(microkit_channel ch)
{
    notified(ch);
    send_deferred();
}

__attribute__((export_name("__emu_message_registers_address"))) seL4_Word *__emu_message_registers_address(void)
{
    return __emu_message_registers;
}

__attribute__((export_name("__emu_name_address"))) char *__emu_name_address(void)
{
    return microkit_name;
}

/* Only PDs that accept protected procedure calls define protected(). */
__attribute__((weak)) microkit_msginfo protected(microkit_channel ch, microkit_msginfo msginfo);

__attribute__((export_name("__emu_protected"))) seL4_Word __emu_protected(microkit_channel ch, seL4_Word tag)
{
    microkit_msginfo msginfo;
    msginfo.words[0] = tag;
    microkit_msginfo reply = protected(ch, msginfo);
    send_deferred();
    return reply.words[0];
}

/* Only PDs with children (a VMM) define fault(). */
__attribute__((weak)) seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo);

/*
 * A child's fault, its message already in the message registers. Returns the reply's tag, or
 * all ones when the handler does not reply (the child then stays stopped).
 */
__attribute__((export_name("__emu_fault"))) seL4_Word __emu_fault(microkit_child child, seL4_Word tag)
{
    microkit_msginfo msginfo, reply;
    msginfo.words[0] = tag;
    reply.words[0] = 0;
    seL4_Bool replied = fault(child, msginfo, &reply);
    send_deferred();
    return replied ? reply.words[0] : ~(seL4_Word)0;
}

__attribute__((export_name("__emu_has_fault"))) int __emu_has_fault(void)
{
    return fault != 0;
}

__attribute__((export_name("__emu_has_protected"))) int __emu_has_protected(void)
{
    return protected != 0;
}

/*
 * Preemption points: PD code is compiled with -fsanitize-coverage=trace-pc-guard, which calls this
 * on every edge of its control flow (loops included). After a timeslice's worth of edges the PD
 * yields, so that a busy wait (sDDF's debug build waits for the driver in virt_tx's init) lets the
 * other PDs of its priority or above run, as the end of a timeslice would on seL4.
 */
#define EDGES_PER_SLICE (1u << 20)

MICROKIT_IMPORT("yield") void __emu_yield(void);

static uint32_t slice_edges_left = EDGES_PER_SLICE;

void __sanitizer_cov_trace_pc_guard(uint32_t *guard)
{
    (void)guard;
    if (--slice_edges_left == 0) {
        slice_edges_left = EDGES_PER_SLICE;
        __emu_yield();
    }
}

void __sanitizer_cov_trace_pc_guard_init(uint32_t *start, uint32_t *stop)
{
    (void)start;
    (void)stop;
}

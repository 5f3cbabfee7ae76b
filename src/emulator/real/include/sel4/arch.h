/*
 * The aarch64 part of seL4's user interface that a VMM uses (seL4 reference manual: "Faults",
 * "Thread Control Blocks", "ARM VCPU" and "ARM SMC" invocations; MCS kernel with hypervisor
 * support, as Microkit builds it). Written from the manual; the emulator's kernel model implements
 * every invocation as an import of the "sel4" module, over its vCPU, vGIC list registers and
 * guest state (src/emulator/real/sel4-vcpu.ts).
 */
#pragma once

/* A thread's user-visible registers, in seL4's order for aarch64 (seL4_TCB_ReadRegisters). */
typedef struct seL4_UserContext_ {
    /* frame registers */
    seL4_Word pc, sp, spsr, x0, x1, x2, x3, x4, x5, x6, x7, x8, x16, x17, x18, x29, x30;
    /* other integer registers */
    seL4_Word x9, x10, x11, x12, x13, x14, x15, x19, x20, x21, x22, x23, x24, x25, x26, x27, x28;
    /* thread ID registers */
    seL4_Word tpidr_el0, tpidrro_el0;
} seL4_UserContext;

/* The registers a VCPU object holds for its guest (seL4_ARM_VCPU_ReadRegs/WriteRegs). */
typedef enum {
    seL4_VCPUReg_SCTLR = 0,
    seL4_VCPUReg_TTBR0,
    seL4_VCPUReg_TTBR1,
    seL4_VCPUReg_TCR,
    seL4_VCPUReg_MAIR,
    seL4_VCPUReg_AMAIR,
    seL4_VCPUReg_CIDR,
    seL4_VCPUReg_ACTLR,
    seL4_VCPUReg_CPACR,
    seL4_VCPUReg_AFSR0,
    seL4_VCPUReg_AFSR1,
    seL4_VCPUReg_ESR,
    seL4_VCPUReg_FAR,
    seL4_VCPUReg_ISR,
    seL4_VCPUReg_VBAR,
    seL4_VCPUReg_TPIDR_EL1,
    seL4_VCPUReg_VMPIDR_EL2,
    seL4_VCPUReg_SP_EL1,
    seL4_VCPUReg_ELR_EL1,
    seL4_VCPUReg_SPSR_EL1,
    seL4_VCPUReg_CNTV_CTL,
    seL4_VCPUReg_CNTV_CVAL,
    seL4_VCPUReg_CNTVOFF,
    seL4_VCPUReg_CNTKCTL_EL1,
    seL4_VCPUReg_PAR,
    seL4_VCPUReg_Num,
} seL4_VCPUReg;

/* Fault labels of the message a fault handler receives (MCS numbering, aarch64 with hypervisor). */
typedef enum {
    seL4_Fault_NullFault = 0,
    seL4_Fault_CapFault = 1,
    seL4_Fault_UnknownSyscall = 2,
    seL4_Fault_UserException = 3,
    seL4_Fault_Timeout = 5,
    seL4_Fault_VMFault = 6,
    seL4_Fault_VGICMaintenance = 7,
    seL4_Fault_VCPUFault = 8,
    seL4_Fault_VPPIEvent = 9,
} seL4_FaultType;

/* Message register layout of each fault. */
enum {
    seL4_VMFault_IP = 0,
    seL4_VMFault_Addr = 1,
    seL4_VMFault_PrefetchFault = 2,
    seL4_VMFault_FSR = 3,
    seL4_VMFault_Length = 4,
};
enum {
    seL4_UnknownSyscall_X0 = 0,
    seL4_UnknownSyscall_X1,
    seL4_UnknownSyscall_X2,
    seL4_UnknownSyscall_X3,
    seL4_UnknownSyscall_X4,
    seL4_UnknownSyscall_X5,
    seL4_UnknownSyscall_X6,
    seL4_UnknownSyscall_X7,
    seL4_UnknownSyscall_FaultIP,
    seL4_UnknownSyscall_SP,
    seL4_UnknownSyscall_LR,
    seL4_UnknownSyscall_SPSR,
    seL4_UnknownSyscall_Syscall,
    seL4_UnknownSyscall_Length,
};
enum {
    seL4_UserException_FaultIP = 0,
    seL4_UserException_SP,
    seL4_UserException_SPSR,
    seL4_UserException_Number,
    seL4_UserException_Code,
    seL4_UserException_Length,
};
enum {
    seL4_VGICMaintenance_IDX = 0,
    seL4_VGICMaintenance_Length,
};
enum {
    seL4_VCPUFault_HSR = 0,
    seL4_VCPUFault_Length,
};
enum {
    seL4_VPPIEvent_IRQ = 0,
    seL4_VPPIEvent_Length,
};

/* Error codes of invocations. */
#define seL4_InvalidArgument 1
#define seL4_InvalidCapability 2
#define seL4_IllegalOperation 3
#define seL4_RangeError 4

/* Arguments and results of an SMC the kernel makes on a PD's behalf (seL4_ARM_SMC_Call). */
typedef struct seL4_ARM_SMCContext_ {
    seL4_Word x0, x1, x2, x3, x4, x5, x6, x7;
} seL4_ARM_SMCContext;

typedef struct seL4_ARM_VCPU_ReadRegs {
    int error;
    seL4_Word value;
} seL4_ARM_VCPU_ReadRegs_t;

#define SEL4_IMPORT(name) __attribute__((import_module("sel4"), import_name(name)))

/* Invocations on a TCB. `resume_target`: start the thread after writing (WriteRegisters). */
SEL4_IMPORT("tcb_read_registers")
seL4_Error seL4_TCB_ReadRegisters(seL4_CPtr tcb, seL4_Bool suspend_source, seL4_Uint8 arch_flags, seL4_Word count,
                                  seL4_UserContext *regs);
SEL4_IMPORT("tcb_write_registers")
seL4_Error seL4_TCB_WriteRegisters(seL4_CPtr tcb, seL4_Bool resume_target, seL4_Uint8 arch_flags, seL4_Word count,
                                   seL4_UserContext *regs);
SEL4_IMPORT("tcb_suspend") seL4_Error seL4_TCB_Suspend(seL4_CPtr tcb);
SEL4_IMPORT("tcb_resume") seL4_Error seL4_TCB_Resume(seL4_CPtr tcb);

/* Invocations on a VCPU object. InjectIRQ writes list register `index` (the vGIC's hardware). */
SEL4_IMPORT("vcpu_inject_irq")
seL4_Error seL4_ARM_VCPU_InjectIRQ(seL4_CPtr vcpu, seL4_Uint16 virq, seL4_Uint8 priority, seL4_Uint8 group,
                                   seL4_Uint8 index);
SEL4_IMPORT("vcpu_ack_vppi") seL4_Error seL4_ARM_VCPU_AckVPPI(seL4_CPtr vcpu, seL4_Word irq);
SEL4_IMPORT("vcpu_read_reg") seL4_Error __emu_vcpu_read_reg(seL4_CPtr vcpu, seL4_Word reg, seL4_Word *value);
SEL4_IMPORT("vcpu_write_reg") seL4_Error seL4_ARM_VCPU_WriteRegs(seL4_CPtr vcpu, seL4_Word reg, seL4_Word value);

static inline seL4_ARM_VCPU_ReadRegs_t seL4_ARM_VCPU_ReadRegs(seL4_CPtr vcpu, seL4_Word reg)
{
    seL4_ARM_VCPU_ReadRegs_t ret;
    ret.value = 0;
    ret.error = __emu_vcpu_read_reg(vcpu, reg, &ret.value);
    return ret;
}

/* An SMC made by the kernel for a PD given the SMC capability. */
SEL4_IMPORT("smc_call")
seL4_Error seL4_ARM_SMC_Call(seL4_CPtr smc, seL4_ARM_SMCContext *args, seL4_ARM_SMCContext *response);

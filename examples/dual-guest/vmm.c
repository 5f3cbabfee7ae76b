/*
 * The VMM of each guest: a console VMM on libvmm 0.2.0. It places the guest's images, gives the
 * guest a virtio-mmio console whose bytes go through the sDDF serial subsystem (virt_rx and
 * virt_tx), and handles the guest's faults. The emulator runs it with `--components real`; the
 * addresses come from dual-guest.json as -D definitions (the defaults below are the same).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <microkit.h>
#include <libvmm/libvmm.h>
#include <sddf/serial/queue.h>
#include <sddf/serial/config.h>

#ifndef GUEST_RAM_START_GPA
#define GUEST_RAM_START_GPA 0x40000000
#endif
#ifndef GUEST_RAM_SIZE
#define GUEST_RAM_SIZE 0xf000000
#endif
#ifndef GUEST_DTB_GPA
#define GUEST_DTB_GPA 0x44000000
#endif
#ifndef GUEST_INIT_RAM_DISK_GPA
#define GUEST_INIT_RAM_DISK_GPA 0x44500000
#endif
#ifndef VIRTIO_CONSOLE_BASE
#define VIRTIO_CONSOLE_BASE 0x150000
#endif
#ifndef VIRTIO_CONSOLE_SIZE
#define VIRTIO_CONSOLE_SIZE 0x200
#endif
#ifndef VIRTIO_CONSOLE_SPI
#define VIRTIO_CONSOLE_SPI 42
#endif

__attribute__((__section__(".serial_client_config"))) serial_client_config_t serial_config;

extern char _guest_kernel_image[];
extern char _guest_kernel_image_end[];
extern char _guest_dtb_image[];
extern char _guest_dtb_image_end[];
extern char _guest_initrd_image[];
extern char _guest_initrd_image_end[];

/* Set by Microkit (setvar_vaddr): where guest RAM is mapped in this PD. */
uintptr_t guest_ram_vaddr;

static serial_queue_handle_t serial_rx_queue;
static serial_queue_handle_t serial_tx_queue;
static struct virtio_console_device virtio_console;

void init(void)
{
    assert(serial_config_check_magic(&serial_config));
    LOG_VMM("starting \"%s\"\n", microkit_name);

    arch_guest_init_t args = {
        .num_vcpus = 1,
        .num_guest_ram_regions = 1,
        .guest_ram_regions = { (struct guest_ram_region) {
            .gpa_start = GUEST_RAM_START_GPA, .size = GUEST_RAM_SIZE, .vmm_vaddr = (void *)guest_ram_vaddr } },
        .pci_init.mmio_aperature_size = 0,
    };
    if (!guest_init(args)) {
        LOG_VMM_ERR("Failed to initialise guest\n");
        return;
    }

    uintptr_t kernel_pc = linux_setup_images(
        GUEST_RAM_START_GPA, (uintptr_t)_guest_kernel_image, _guest_kernel_image_end - _guest_kernel_image,
        (uintptr_t)_guest_dtb_image, GUEST_DTB_GPA, _guest_dtb_image_end - _guest_dtb_image,
        (uintptr_t)_guest_initrd_image, GUEST_INIT_RAM_DISK_GPA, _guest_initrd_image_end - _guest_initrd_image);
    if (!kernel_pc) {
        LOG_VMM_ERR("Failed to initialise guest images\n");
        return;
    }

    serial_queue_init(&serial_rx_queue, serial_config.rx.queue.vaddr, serial_config.rx.data.size,
                      serial_config.rx.data.vaddr);
    serial_queue_init(&serial_tx_queue, serial_config.tx.queue.vaddr, serial_config.tx.data.size,
                      serial_config.tx.data.vaddr);
    bool success = virtio_mmio_console_init(&virtio_console, VIRTIO_CONSOLE_BASE, VIRTIO_CONSOLE_SIZE,
                                            ARM_GIC_IRQ_ROUTE(GUEST_BOOT_VCPU_ID, VIRTIO_CONSOLE_SPI + 32),
                                            &serial_rx_queue, &serial_tx_queue, serial_config.tx.id,
                                            serial_config.rx.id);
    assert(success);

    guest_start(kernel_pc, GUEST_DTB_GPA, GUEST_INIT_RAM_DISK_GPA);
    LOG_VMM("%s is ready\n", microkit_name);
}

void notified(microkit_channel ch)
{
    if (ch == serial_config.rx.id) {
        virtio_console_queue_notify(&virtio_console);
    } else if (ch == serial_config.tx.id) {
        /* virt_tx consumed: nothing to do, as in libvmm's client VMM. */
    } else {
        LOG_VMM_ERR("Unexpected channel, ch: 0x%x\n", ch);
    }
}

seL4_Bool fault(microkit_child child, microkit_msginfo msginfo, microkit_msginfo *reply_msginfo)
{
    if (fault_handle(child, msginfo)) {
        *reply_msginfo = microkit_msginfo_new(0, 0);
        return seL4_True;
    }
    return seL4_False;
}

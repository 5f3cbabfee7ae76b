/*
 * The calls libvmm's aarch64 sources make into the parts the pinned libvmm subset leaves out (the
 * virtual PCI bus; see libvmm-absent/libvmm/pci.h). Each refuses with a line on the debug console;
 * the console VMMs never reach them (they pass no PCI aperture and use the virtio-mmio transport).
 */
#include <stdbool.h>
#include <stdint.h>
#include <microkit.h>
#include <libvmm/pci.h>
#include <libvmm/virtio/pci.h>

static bool absent(const char *what)
{
    microkit_dbg_puts(microkit_name);
    microkit_dbg_puts("|ERROR: (emulator) ");
    microkit_dbg_puts(what);
    microkit_dbg_puts(" is not part of the libvmm the emulator builds\n");
    return false;
}

bool pci_bus_init(uint64_t ecam_gpa, uint64_t ecam_size, uint64_t mmio_aperture_gpa, uint64_t mmio_aperture_size)
{
    (void)ecam_gpa, (void)ecam_size, (void)mmio_aperture_gpa, (void)mmio_aperture_size;
    return absent("the virtual PCI bus");
}

bool pci_device_set_irq_status(void *pci_handle, bool asserted)
{
    (void)pci_handle, (void)asserted;
    return absent("the virtual PCI bus");
}

bool virtio_pci_register_device(struct virtio_device *dev, uint16_t pci_bus, uint16_t pci_dev, irq_routing_info_t irq_routing_info)
{
    (void)dev, (void)pci_bus, (void)pci_dev, (void)irq_routing_info;
    return absent("the virtio-pci transport");
}

/*
 * sDDF's cache maintenance (util/cache.c, aarch64 assembly, not in the pinned sDDF subset) that
 * libvmm calls after placing the guest images: the emulator's memory has no caches to clean.
 */
void cache_clean_and_invalidate(unsigned long start, unsigned long end)
{
    (void)start, (void)end;
}

void cache_clean(unsigned long start, unsigned long end)
{
    (void)start, (void)end;
}

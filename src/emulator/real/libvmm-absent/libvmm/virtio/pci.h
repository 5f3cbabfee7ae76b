/*
 * libvmm 0.2.0's virtio-pci transport is not part of the pinned libvmm subset (see ../pci.h): the
 * transport data the virtio device union holds, and the calls the console source makes on the
 * PCI path, which the aarch64 virtio-mmio VMM never takes. Values from the VirtIO 1.2 spec, 4.1.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <libvmm/pci.h>
#include <libvmm/virq.h>

/* PCI vendor ID of virtio devices, and the modern (1.0+) device ID base: 0x1040 + device type. */
#define VIRTIO_PCI_VENDOR_ID 0x1af4
#define VIRTIO_PCI_MODERN_BASE_DEVICE_ID 0x1040
/* Offset of the device-specific configuration in the legacy layout (with or without MSI-X). */
#define VIRTIO_PCI_CONFIG_OFF(msix_enabled) ((msix_enabled) ? 24 : 20)

typedef struct virtio_pci_data {
    uint16_t device_id;
    uint16_t vendor_id;
    uint32_t device_class;
    void *pci_handle;
} virtio_pci_data_t;

struct virtio_device;
bool virtio_pci_register_device(struct virtio_device *dev, uint16_t pci_bus, uint16_t pci_dev, irq_routing_info_t irq_routing_info);

/*
 * libvmm 0.2.0's virtual PCI bus is not part of the pinned libvmm subset the emulator builds
 * (../shared/upstream/libvmm has the aarch64 virtio-mmio VMM only). These are the declarations the
 * aarch64 sources reference; the emulator's runtime (runtime/libvmm-absent.c) answers every call
 * with failure and a log line. A full libvmm checkout's own header comes first on the include path.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <libvmm/virq.h>

bool pci_bus_init(uint64_t ecam_gpa, uint64_t ecam_size, uint64_t mmio_aperture_gpa, uint64_t mmio_aperture_size);
bool pci_device_set_irq_status(void *pci_handle, bool asserted);

#define PCI_CLASS_COMMUNICATION_OTHER 0x0780

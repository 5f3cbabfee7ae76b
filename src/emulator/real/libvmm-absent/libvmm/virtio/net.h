/*
 * Not part of the pinned libvmm subset (../shared/upstream/libvmm: the virtio console only); the
 * emulator's VMMs have no net device. Empty, so that <libvmm/libvmm.h> compiles; a full
 * libvmm checkout's own header comes first on the include path.
 */
#pragma once

/* SPDX-License-Identifier: MIT */
#ifndef SCHEDTAPE_FORMAT_CRC32C_H
#define SCHEDTAPE_FORMAT_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as used by iSCSI,
 * ext4 and btrfs. Start with crc = 0; pass the previous result to continue.
 * crc32c(0, "123456789", 9) == 0xE3069283.
 */
uint32_t crc32c(uint32_t crc, const void *buf, size_t len);

#endif

/* CRC-32 as in zlib, PNG and Ethernet (java.util.zip.CRC32), for freestanding guests. */
#ifndef CRC32_H
#define CRC32_H

#include <stddef.h>
#include <stdint.h>

/* Returns the CRC-32 of the length bytes at data. */
uint32_t crc32(const uint8_t *data, size_t length);

#endif

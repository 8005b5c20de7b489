/*
 * CRC-32 with the reflected polynomial 0xEDB88320, table-driven: the routine under test. Plain
 * freestanding C, no libc; the table lives in .bss and is filled on first use, so the loader has
 * to zero .bss for the "not yet filled" flag to work.
 */
#include "crc32.h"

static uint32_t table[256];
static int table_ready;

/* table[n] is the CRC of the single byte n, processed bit by bit. */
static void fill_table(void)
{
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int bit = 0; bit < 8; bit++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[n] = c;
    }
    table_ready = 1;
}

uint32_t crc32(const uint8_t *data, size_t length)
{
    if (!table_ready)
        fill_table();
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < length; i++)
        c = table[(c ^ data[i]) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

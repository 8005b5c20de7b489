/*
 * What the test kernels (multiboot.c, smp.c) need of a PC: port I/O, COM1 output (polled), and
 * QEMU's firmware configuration interface (fw_cfg) through its I/O ports.
 */
#ifndef PC_H
#define PC_H
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t value) {
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t value) {
    __asm__ volatile("outw %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port) {
    uint8_t value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

static inline void putc(char c) {
    while (!(inb(0x3fd) & 0x20)) {
    }
    outb(0x3f8, c);
}

static inline void puts(const char *s) {
    while (*s) {
        putc(*s++);
    }
}

static inline void putn(const char *s, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        putc(s[i]);
    }
}

static inline void puthex(uint64_t value) {
    puts("0x");
    int digits = 1;
    while (digits < 16 && (value >> (4 * digits)) != 0) {
        digits++;
    }
    while (digits-- > 0) {
        putc("0123456789abcdef"[(value >> (4 * digits)) & 0xf]);
    }
}

static inline void putdec(uint32_t value) {
    char digits[10];
    int n = 0;
    do {
        digits[n++] = (char) ('0' + value % 10);
        value /= 10;
    } while (value);
    while (n) {
        putc(digits[--n]);
    }
}

static inline void fw_cfg_select(uint16_t item) {
    outw(0x510, item);
}

static inline uint64_t fw_cfg_read(int bytes, int big_endian) {
    uint64_t value = 0;
    for (int i = 0; i < bytes; i++) {
        uint64_t byte = inb(0x511);
        value |= big_endian ? byte << (8 * (bytes - 1 - i)) : byte << (8 * i);
    }
    return value;
}

#endif

/*
 * The guest's main program, the same for 32- and 64-bit builds: reads the job the test wrote into
 * guest memory, runs crc32() over the buffer, stores the result in the job, prints it to COM1 as
 * eight hex digits and a newline, and returns it (the entry stub leaves it in EAX/RAX and halts).
 * With junit-kvm's guest library (junitkvm.h) it checks its input and logs what it did.
 */
#include "crc32.h"
#include "junitkvm.h"

/* The test's interface, at fixed guest-physical addresses (identity-mapped in every mode). */
struct job {
    uint32_t length; /* in: how many bytes at BUFFER */
    uint32_t crc;    /* out: their CRC-32 */
};
#define JOB ((volatile struct job *)0x8000)
#define BUFFER ((const uint8_t *)0x10000)
#define MAX_LENGTH 0x10000 /* the test keeps its buffers below 64 KiB */

#define COM1 0x3f8
#define COM1_LSR (COM1 + 5)
#define LSR_THRE 0x20

static inline uint8_t inb(uint16_t port)
{
    uint8_t value;
    __asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

static inline void outb(uint16_t port, uint8_t value)
{
    __asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

/* A polling UART driver: waits for an empty transmitter holding register before each byte. */
static void serial_putc(char c)
{
    while (!(inb(COM1_LSR) & LSR_THRE))
        ;
    outb(COM1, (uint8_t)c);
}

static void serial_put_hex32(uint32_t value)
{
    for (int shift = 28; shift >= 0; shift -= 4)
        serial_putc("0123456789abcdef"[(value >> shift) & 0xF]);
}

uint32_t guest_main(void)
{
    uint32_t length = JOB->length;
    KVM_ASSERT(length <= MAX_LENGTH); /* a failed guest assertion fails the JUnit test */
    uint32_t crc = crc32(BUFFER, length);
    KVM_LOG("crc32 of %u bytes at %p: %08x", length, (const void *)BUFFER, crc); /* GuestRun.guestLog() */
    JOB->crc = crc;
    serial_put_hex32(crc);
    serial_putc('\n');
    return crc;
}

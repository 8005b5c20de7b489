/*
 * A self-checking guest, the same for 32- and 64-bit builds: computes the CRC-32 of the buffer the
 * test wrote and checks it, inside the guest, against the value the test expects, with the
 * assertions of junit-kvm's guest library (junitkvm.h). A match ends the run with KVM_DONE; a
 * mismatch fails the JUnit test with this file's name, the line and both values.
 */
#include "crc32.h"
/* tag::guest-assertions[] */
#include "junitkvm.h"

/* The test's interface, at fixed guest-physical addresses (identity-mapped in every mode). */
struct check {
    uint32_t length;   /* in: how many bytes at BUFFER */
    uint32_t expected; /* in: their CRC-32, as the test computed it */
};
#define CHECK ((volatile struct check *)0x8000)
#define BUFFER ((const uint8_t *)0x10000)
#define MAX_LENGTH 0x10000

void guest_main(void)
{
    uint32_t length = CHECK->length;
    KVM_ASSERT_MSG(length <= MAX_LENGTH, "%u bytes do not fit the %u-byte buffer", length, MAX_LENGTH);
    uint32_t crc = crc32(BUFFER, length);
    KVM_LOG("crc32 of %u bytes: %08x", length, crc);
    KVM_ASSERT_EQ(crc, CHECK->expected);
    KVM_DONE();
}
/* end::guest-assertions[] */

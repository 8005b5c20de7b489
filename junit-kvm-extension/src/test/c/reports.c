/*
 * A C guest of the guest library's tests (GuestLibraryCTest): does what JOB->scenario says with
 * junitkvm.h, so that the test sees each kind of report from a 32- and a 64-bit build. The test
 * finds the lines of the assertions by their text in this file: keep each on one line.
 */
#include "junitkvm.h"

struct job {
    uint32_t scenario; /* in: one of the cases below */
    uint32_t value;    /* in: a value the scenario uses */
};
#define JOB ((volatile struct job *)0x8000)

static const char world[] = "w\xc3\xb6rld"; /* UTF-8 */

void guest_main(void)
{
    uint32_t value = JOB->value;
    switch (JOB->scenario) {
    case 0: {
        KVM_ASSERT(value == 7);
        KVM_LOG("hello %s, %d %u %#x %c%%", world, -5, 4000000000u, 255u, 'k');
        KVM_LOG("long %ld %lx, long long %lld %llx, size %zu, pointer %p", -2L, -1L, -3LL, 0x1122334455667788ULL,
                sizeof(long), (void *)0x8000);
        KVM_LOG("padded [%5d] [%-4s] [%8.3x]\n", (int)value, "ab", 0xabcu);
        KVM_DONE();
    }
    case 1: {
        int actual = (int)value;
        KVM_ASSERT_EQ(actual, 42);
        break;
    }
    case 2: {
        uint64_t big = 0x123456789abcdef0ULL + value;
        KVM_ASSERT_EQ(big, 0x123456789abcdef0ULL);
        break;
    }
    case 3:
        KVM_ASSERT_MSG(value < 10, "value %u is not below %d", value, 10);
        break;
    case 4:
        KVM_FAIL("scenario %s", "four");
    case 5:
        for (uint32_t i = 0; i < value; i++)
            KVM_LOG("line %u", i);
        break;
    case 6:
        KVM_LOG("%d %d %d %d %d %d %d %d %d", 1, 2, 3, 4, 5, 6, 7, 8, 9); /* one more than a report holds */
        KVM_DONE();
    default:
        KVM_FAIL("no scenario %u", JOB->scenario);
    }
}

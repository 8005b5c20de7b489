/*
 * Functions that KvmVm.call() calls in the integration tests (CallTest), built for i386
 * (calls-32.elf, cdecl in PROTECTED and PAGED mode) and x86-64 (calls-64.elf, the System V AMD64
 * ABI in LONG mode): arguments in registers and on the stack, results of every width, buffers and
 * structures passed by address, state kept between calls, and functions that break the
 * convention on purpose (in assembly, below).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "junitkvm.h"

long add2(long a, long b)
{
    return a + b;
}

/* Eight arguments: in LONG mode the last two are on the stack, in cdecl all eight. */
long weighted8(long a, long b, long c, long d, long e, long f, long g, long h)
{
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h;
}

/* Ten arguments of mixed widths, signed ones sign-extended by the callee. */
int64_t mixed10(int8_t a, uint8_t b, int16_t c, uint16_t d, int32_t e, uint32_t f, long g, long h, int32_t i,
                int32_t j)
{
    return (int64_t)a + b + c + d + e + f + g + h + i + j;
}

uint64_t wide(void)
{
    return 0x1122334455667788ULL;
}

int32_t negative(void)
{
    return -5;
}

bool is_even(unsigned value)
{
    return value % 2 == 0;
}

size_t sum_bytes(const uint8_t *bytes, size_t length)
{
    size_t sum = 0;
    for (size_t i = 0; i < length; i++)
        sum += bytes[i];
    return sum;
}

struct point {
    int32_t x;
    int32_t y;
};

void scale(struct point *point, int32_t factor)
{
    point->x *= factor;
    point->y *= factor;
}

size_t length_of(const char *text)
{
    size_t length = 0;
    while (text[length])
        length++;
    return length;
}

static uint32_t counter;

uint32_t next_count(void)
{
    return ++counter;
}

const uint32_t primes[4] = {2, 3, 5, 7};

void checked_positive(int value)
{
    KVM_ASSERT_MSG(value > 0, "value %d is not positive", value);
}

void spin(void)
{
    for (;;)
        __asm__ volatile("" ::: "memory");
}

/*
 * In assembly, to break the convention on purpose or to control every bit of the result:
 *   dirty_result      returns 0x12345678_deadbe01 with garbage above each narrower width
 *   faulting          executes ud2, which the guest has no handler for: a triple fault
 *   returns_elsewhere replaces its return address and returns to a hlt of its own
 *   pops_arguments    returns with ret $n, as stdcall does
 *   clobbers_callee_saved  sets EBX/RBX and returns
 */
#ifdef __x86_64__
__asm__(
    ".text\n"
    ".globl dirty_result\n .type dirty_result, @function\n"
    "dirty_result: movabs $0x12345678deadbe01, %rax\n ret\n"
    ".globl faulting\n .type faulting, @function\n"
    "faulting: ud2\n"
    ".globl returns_elsewhere\n .type returns_elsewhere, @function\n"
    "returns_elsewhere: pop %rax\n lea elsewhere(%rip), %rax\n push %rax\n ret\n"
    "elsewhere: hlt\n"
    ".globl pops_arguments\n .type pops_arguments, @function\n"
    "pops_arguments: ret $8\n"
    ".globl clobbers_callee_saved\n .type clobbers_callee_saved, @function\n"
    "clobbers_callee_saved: mov $5, %ebx\n ret\n");
#else
__asm__(
    ".text\n"
    ".globl dirty_result\n .type dirty_result, @function\n"
    "dirty_result: mov $0xdeadbe01, %eax\n mov $0x12345678, %edx\n ret\n"
    ".globl faulting\n .type faulting, @function\n"
    "faulting: ud2\n"
    ".globl returns_elsewhere\n .type returns_elsewhere, @function\n"
    "returns_elsewhere: pop %eax\n push $elsewhere\n ret\n"
    "elsewhere: hlt\n"
    ".globl pops_arguments\n .type pops_arguments, @function\n"
    "pops_arguments: ret $4\n"
    ".globl clobbers_callee_saved\n .type clobbers_callee_saved, @function\n"
    "clobbers_callee_saved: mov $5, %ebx\n ret\n");
#endif

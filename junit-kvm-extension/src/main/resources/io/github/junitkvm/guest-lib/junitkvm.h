/*
 * junitkvm.h - guest-side assertions and logging for junit-kvm guests.
 *
 * Shipped inside the junit-kvm-extension jar (io/github/junitkvm/guest-lib/); extract it for a
 * guest build with io.github.junitkvm.GuestLibrary.extractTo(directory), or from the command line:
 *   java -cp junit-kvm-extension.jar io.github.junitkvm.GuestLibrary DIRECTORY
 *
 *   KVM_ASSERT(cond)                  fails the test if cond is false
 *   KVM_ASSERT_MSG(cond, fmt, ...)    the same, with a printf-style message
 *   KVM_ASSERT_EQ(a, b)               fails the test if a != b, showing both values
 *   KVM_FAIL(fmt, ...)                fails the test
 *   KVM_LOG(fmt, ...)                 appends one line to the run's guest log (GuestRun.guestLog())
 *   KVM_DONE()                        tells the host the guest finished (GuestRun.guestReportedDone())
 *
 * A failed assertion and KVM_DONE() end the run and do not return (run the VM again and the guest
 * halts). The failed assertion fails the JUnit test with this file's name, the line, the expression
 * and the values. Passing assertions cost a comparison and nothing else.
 *
 * Header-only and freestanding: no libc, only the compiler's <stdarg.h>, <stddef.h> and
 * <stdint.h>; works with -ffreestanding -nostdlib -mgeneral-regs-only, for -m32 and -m64 guests
 * (gcc, C11 or later). Formatting happens on the host: the guest passes the format
 * string's address and its arguments as 64-bit values, and the host reads the strings from guest
 * memory. So every pointer the guest passes (the file name, the texts, the format, %s arguments)
 * must be a guest physical address: true in every junit-kvm CPU mode, whose memory is
 * identity-mapped, and in real mode with segment bases 0. The format supports the conversions
 * d i u x X o c s p %, flags - + space # 0, width and precision (also *), and the length
 * modifiers hh h l ll z j t; at most JUNITKVM_MAX_ARGS arguments (the host shows a conversion
 * past them as "<missing: a report holds at most 8 arguments>"). The host bounds what it takes:
 * a width or precision above 4096 counts as 4096, a formatted text is cut after 4096 characters
 * and a string after 4096 bytes (both then end in "..."), and a run's log keeps at most
 * @KvmGuest(maxRecordedOutput) characters of lines.
 *
 * The protocol, for other languages: the guest fills a struct junitkvm_report (below, 128 bytes,
 * little-endian) and writes its address, which must be below 4 GiB, with a 32-bit OUT to port
 * JUNITKVM_PORT, followed by a jump (the emulator stops only at the end of a translation block,
 * which the jump ends: so it runs nothing past the OUT before the host reads the report).
 */
#ifndef JUNITKVM_H
#define JUNITKVM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* The I/O port the guest writes a report's address to, with a 32-bit OUT. */
#define JUNITKVM_PORT 0x4a4b
/* The first four bytes of every report: "JKVM". */
#define JUNITKVM_MAGIC 0x4d564b4au
/* How many format arguments a report carries; more are not passed. */
#define JUNITKVM_MAX_ARGS 8

/* What a report says. */
#define JUNITKVM_LOG 1       /* a log line: format and args */
#define JUNITKVM_ASSERT 2    /* an assertion failed: expression (or 0 for KVM_FAIL), optional format */
#define JUNITKVM_ASSERT_EQ 3 /* a == b failed: expression, expression2, lhs, rhs, optional format */
#define JUNITKVM_DONE 4      /* the guest finished */

/* lhs_type and rhs_type: the operand's size in bytes (0 unknown), plus this bit if it is signed. */
#define JUNITKVM_SIGNED 0x80

struct junitkvm_report {
    uint32_t magic;        /* JUNITKVM_MAGIC */
    uint8_t kind;          /* JUNITKVM_LOG ... JUNITKVM_DONE */
    uint8_t argc;          /* how many of args are set */
    uint8_t lhs_type;      /* JUNITKVM_ASSERT_EQ: size | JUNITKVM_SIGNED */
    uint8_t rhs_type;
    uint64_t file;         /* address of the source file name, or 0 */
    uint64_t line;         /* the source line, or 0 */
    uint64_t expression;   /* address of the condition's text (the left operand's for ASSERT_EQ), or 0 */
    uint64_t expression2;  /* address of the right operand's text (ASSERT_EQ), or 0 */
    uint64_t lhs;          /* the operands' values (ASSERT_EQ) */
    uint64_t rhs;
    uint64_t format;       /* address of a printf format, or 0 */
    uint64_t args[JUNITKVM_MAX_ARGS]; /* its arguments: signed ones sign-extended, pointers as addresses */
};

_Static_assert(sizeof(struct junitkvm_report) == 128, "the host reads 128 bytes");
_Static_assert(offsetof(struct junitkvm_report, file) == 8, "layout as the host reads it");
_Static_assert(offsetof(struct junitkvm_report, args) == 64, "layout as the host reads it");

#define KVM_ASSERT(cond)                                                                          \
    do {                                                                                          \
        if (!(cond))                                                                              \
            junitkvm_assert_failed(__FILE__, __LINE__, #cond);                                    \
    } while (0)

#define KVM_ASSERT_MSG(cond, ...)                                                                 \
    do {                                                                                          \
        if (!(cond))                                                                              \
            junitkvm_assert_failed_msg(__FILE__, __LINE__, #cond, __VA_ARGS__);                   \
    } while (0)

/*
 * a and b are evaluated once and compared with ==, as C compares them; integers or pointers. The
 * copies hide from -Wsign-compare that an operand is a non-negative constant (as in
 * KVM_ASSERT_EQ(sizeof(x), 4)), so it is silenced for that comparison.
 */
#define KVM_ASSERT_EQ(a, b)                                                                       \
    do {                                                                                          \
        __auto_type junitkvm_a_ = (a);                                                            \
        __auto_type junitkvm_b_ = (b);                                                            \
        _Pragma("GCC diagnostic push")                                                            \
        _Pragma("GCC diagnostic ignored \"-Wsign-compare\"")                                     \
        int junitkvm_equal_ = junitkvm_a_ == junitkvm_b_;                                         \
        _Pragma("GCC diagnostic pop")                                                             \
        if (!junitkvm_equal_)                                                                     \
            junitkvm_assert_eq_failed(__FILE__, __LINE__, #a, #b,                                 \
                    JUNITKVM_VALUE(junitkvm_a_), JUNITKVM_TYPE(junitkvm_a_),                      \
                    JUNITKVM_VALUE(junitkvm_b_), JUNITKVM_TYPE(junitkvm_b_));                     \
    } while (0)

#define KVM_FAIL(...) junitkvm_assert_failed_msg(__FILE__, __LINE__, (const char *)0, __VA_ARGS__)
#define KVM_LOG(...) junitkvm_log(__VA_ARGS__)
#define KVM_DONE() junitkvm_done()

/* ---- implementation ---- */

/* An operand's value as 64 bits: signed integers sign-extended, unsigned ones and pointers not. */
#define JUNITKVM_VALUE(x)                                                                         \
    _Generic((x),                                                                                 \
            _Bool: junitkvm_unsigned_, unsigned char: junitkvm_unsigned_,                        \
            unsigned short: junitkvm_unsigned_, unsigned int: junitkvm_unsigned_,                 \
            unsigned long: junitkvm_unsigned_, unsigned long long: junitkvm_unsigned_,            \
            char: junitkvm_char_, signed char: junitkvm_signed_, short: junitkvm_signed_,         \
            int: junitkvm_signed_, long: junitkvm_signed_, long long: junitkvm_signed_,           \
            default: junitkvm_pointer_)(x)
#define JUNITKVM_TYPE(x)                                                                          \
    ((uint8_t)(sizeof(x) | _Generic((x),                                                          \
            char: ((char)-1 < 0 ? JUNITKVM_SIGNED : 0), signed char: JUNITKVM_SIGNED,            \
            short: JUNITKVM_SIGNED, int: JUNITKVM_SIGNED, long: JUNITKVM_SIGNED,                 \
            long long: JUNITKVM_SIGNED, default: 0)))

static inline uint64_t junitkvm_unsigned_(uint64_t value) { return value; }
static inline uint64_t junitkvm_signed_(int64_t value) { return (uint64_t)value; }
static inline uint64_t junitkvm_char_(char value) { return (uint64_t)(int64_t)value; }
static inline uint64_t junitkvm_pointer_(const volatile void *value) { return (uint64_t)(uintptr_t)value; }

static inline uint64_t junitkvm_address_(const void *pointer) { return (uint64_t)(uintptr_t)pointer; }

static inline void junitkvm_begin_(struct junitkvm_report *report, uint8_t kind, const char *file, int line)
{
    /* Field by field rather than = {0}: a freestanding build has no memset for the compiler to call. */
    report->magic = JUNITKVM_MAGIC;
    report->kind = kind;
    report->argc = 0;
    report->lhs_type = 0;
    report->rhs_type = 0;
    report->file = junitkvm_address_(file);
    report->line = (uint64_t)line;
    report->expression = 0;
    report->expression2 = 0;
    report->lhs = 0;
    report->rhs = 0;
    report->format = 0;
}

/*
 * Hands the report to the host, which reads it while the vCPU waits. The jump after the OUT ends
 * the emulator's translation block, so the emulator runs nothing past the OUT before it stops;
 * "memory" makes the compiler store the report first.
 */
static inline void junitkvm_send_(struct junitkvm_report *report)
{
    __asm__ volatile("outl %0, %w1\n\tjmp 1f\n1:"
                     :
                     : "a"((uint32_t)(uintptr_t)report), "Nd"((uint16_t)JUNITKVM_PORT)
                     : "memory");
}

/* The host ends the run on this report; a guest run again only halts. */
static inline __attribute__((noreturn)) void junitkvm_send_final_(struct junitkvm_report *report)
{
    junitkvm_send_(report);
    for (;;)
        __asm__ volatile("hlt");
}

static inline int junitkvm_is_digit_(char c) { return c >= '0' && c <= '9'; }

/*
 * Takes the arguments the format asks for off the va_list, as 64-bit values. Only the types matter
 * here; the host does the formatting. An unknown conversion ends the scan, as it ends the host's.
 */
static inline void junitkvm_take_args_(struct junitkvm_report *report, const char *format, va_list args)
{
    unsigned count = 0;
    for (const char *p = format; *p; p++) {
        if (*p != '%')
            continue;
        if (*++p == '%')
            continue;
        uint64_t taken[3];
        unsigned n = 0;
        while (*p == '-' || *p == '+' || *p == ' ' || *p == '#' || *p == '0')
            p++;
        if (*p == '*') {
            taken[n++] = (uint64_t)(int64_t)va_arg(args, int);
            p++;
        }
        while (junitkvm_is_digit_(*p))
            p++;
        if (*p == '.') {
            p++;
            if (*p == '*') {
                taken[n++] = (uint64_t)(int64_t)va_arg(args, int);
                p++;
            }
            while (junitkvm_is_digit_(*p))
                p++;
        }
        /* 'i' int, 'l' long, 'L' long long, 'z' size_t, 'j' intmax_t, 't' ptrdiff_t */
        char size = 'i';
        if (*p == 'h') {
            p += p[1] == 'h' ? 2 : 1;
        } else if (*p == 'l') {
            size = p[1] == 'l' ? 'L' : 'l';
            p += p[1] == 'l' ? 2 : 1;
        } else if (*p == 'z' || *p == 'j' || *p == 't') {
            size = *p++;
        }
        switch (*p) {
        case 'd':
        case 'i':
            taken[n++] = size == 'l' ? (uint64_t)(int64_t)va_arg(args, long)
                    : size == 'L' || size == 'j' ? (uint64_t)va_arg(args, long long)
                    : size == 'z' || size == 't' ? (uint64_t)(int64_t)va_arg(args, ptrdiff_t)
                    : (uint64_t)(int64_t)va_arg(args, int);
            break;
        case 'u':
        case 'x':
        case 'X':
        case 'o':
            taken[n++] = size == 'l' ? (uint64_t)va_arg(args, unsigned long)
                    : size == 'L' || size == 'j' ? (uint64_t)va_arg(args, unsigned long long)
                    : size == 'z' || size == 't' ? (uint64_t)va_arg(args, size_t)
                    : (uint64_t)va_arg(args, unsigned int);
            break;
        case 'c':
            taken[n++] = (uint64_t)(unsigned char)va_arg(args, int);
            break;
        case 's':
        case 'p':
            taken[n++] = junitkvm_address_(va_arg(args, const void *));
            break;
        default:
            report->argc = (uint8_t)count;
            return;
        }
        for (unsigned i = 0; i < n && count < JUNITKVM_MAX_ARGS; i++)
            report->args[count++] = taken[i];
    }
    report->argc = (uint8_t)count;
}

static inline void junitkvm_set_message_(struct junitkvm_report *report, const char *format, va_list args)
{
    report->format = junitkvm_address_(format);
    junitkvm_take_args_(report, format, args);
}

static inline __attribute__((format(printf, 1, 2))) void junitkvm_log(const char *format, ...)
{
    struct junitkvm_report report;
    junitkvm_begin_(&report, JUNITKVM_LOG, (const char *)0, 0);
    va_list args;
    va_start(args, format);
    junitkvm_set_message_(&report, format, args);
    va_end(args);
    junitkvm_send_(&report);
}

static inline __attribute__((noreturn)) void junitkvm_assert_failed(const char *file, int line,
                                                                     const char *expression)
{
    struct junitkvm_report report;
    junitkvm_begin_(&report, JUNITKVM_ASSERT, file, line);
    report.expression = junitkvm_address_(expression);
    junitkvm_send_final_(&report);
}

static inline __attribute__((noreturn, format(printf, 4, 5))) void junitkvm_assert_failed_msg(
        const char *file, int line, const char *expression, const char *format, ...)
{
    struct junitkvm_report report;
    junitkvm_begin_(&report, JUNITKVM_ASSERT, file, line);
    report.expression = junitkvm_address_(expression);
    va_list args;
    va_start(args, format);
    junitkvm_set_message_(&report, format, args);
    va_end(args);
    junitkvm_send_final_(&report);
}

static inline __attribute__((noreturn)) void junitkvm_assert_eq_failed(
        const char *file, int line, const char *a, const char *b, uint64_t lhs, uint8_t lhs_type,
        uint64_t rhs, uint8_t rhs_type)
{
    struct junitkvm_report report;
    junitkvm_begin_(&report, JUNITKVM_ASSERT_EQ, file, line);
    report.expression = junitkvm_address_(a);
    report.expression2 = junitkvm_address_(b);
    report.lhs = lhs;
    report.lhs_type = lhs_type;
    report.rhs = rhs;
    report.rhs_type = rhs_type;
    junitkvm_send_final_(&report);
}

static inline __attribute__((noreturn)) void junitkvm_done(void)
{
    struct junitkvm_report report;
    junitkvm_begin_(&report, JUNITKVM_DONE, (const char *)0, 0);
    junitkvm_send_final_(&report);
}

#endif

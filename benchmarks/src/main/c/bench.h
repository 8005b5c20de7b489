/*
 * What the two C baselines share: the command line, the clock, the resident set size, and the
 * output format the Java harness parses (one "key=value" per line).
 *
 * Usage: PROGRAM MODE COUNT CODE RAX RBX RCX RDX
 *   MODE   lifecycle: COUNT times create a VM, load CODE at 0x1000, run it to HLT, close it
 *          reset:     create one VM, then COUNT times load CODE and the registers again and run it
 *                     to HLT, then close it: what reusing a VM between tests could cost at best
 *          exits:     one VM runs CODE once; the exits until HLT are counted and timed
 *          memory:    COUNT VMs are created, loaded and run, all alive at once; RSS is measured
 *   CODE   the guest's machine code as hex byte pairs (spaces allowed): the harness passes the
 *          same bytes the Java side runs, so both sides cannot drift apart
 *   RAX... the guest's initial registers (decimal or 0x hex)
 *
 * Output: serial=HEX (what the last run wrote to COM1's data port), exits=N (exits of the last run,
 * the HLT included), ns=N (time of the measured part), count=N, and for memory rss_before_kib and
 * rss_after_kib. Failures print "error: ..." on stderr and exit 1.
 */
#ifndef BENCH_H
#define BENCH_H

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GUEST_ADDRESS 0x1000u
#define GUEST_SIZE 0x1000u
#define COM1_DATA 0x3f8u
#define MAX_SERIAL 64

/* The guest as the harness described it. */
struct guest {
    uint8_t code[GUEST_SIZE];
    size_t length;
    uint64_t rax, rbx, rcx, rdx;
};

/* What one run did. */
struct run_record {
    uint8_t serial[MAX_SERIAL];
    size_t serial_length;
    uint64_t exits;
};

static void die(const char *format, ...) {
    va_list args;
    va_start(args, format);
    fputs("error: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    exit(1);
}

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static long rss_kib(void) {
    long pages_total, pages_resident;
    FILE *statm = fopen("/proc/self/statm", "r");
    if (statm == NULL || fscanf(statm, "%ld %ld", &pages_total, &pages_resident) != 2) {
        die("cannot read /proc/self/statm");
    }
    fclose(statm);
    return pages_resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void record_out(struct run_record *record, unsigned port, uint8_t value) {
    if (port == COM1_DATA && record->serial_length < MAX_SERIAL) {
        record->serial[record->serial_length++] = value;
    }
}

static uint64_t parse_number(const char *text, const char *what) {
    char *end;
    uint64_t value = strtoull(text, &end, 0);
    if (*text == '\0' || *end != '\0') {
        die("%s is not a number: '%s'", what, text);
    }
    return value;
}

static void parse_code(const char *hex, struct guest *guest) {
    guest->length = 0;
    for (const char *p = hex; *p != '\0';) {
        if (isspace((unsigned char)*p)) {
            p++;
            continue;
        }
        unsigned byte;
        if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) || sscanf(p, "%2x", &byte) != 1) {
            die("CODE is not hex byte pairs at '%s'", p);
        }
        if (guest->length == GUEST_SIZE) {
            die("CODE is longer than the guest's page");
        }
        guest->code[guest->length++] = (uint8_t)byte;
        p += 2;
    }
}

enum mode { LIFECYCLE, RESET, EXITS, MEMORY };

struct arguments {
    enum mode mode;
    uint64_t count;
    struct guest guest;
};

static struct arguments parse_arguments(int argc, char **argv) {
    struct arguments arguments;
    if (argc != 8) {
        die("usage: %s lifecycle|reset|exits|memory COUNT CODE RAX RBX RCX RDX", argv[0]);
    }
    if (strcmp(argv[1], "lifecycle") == 0) {
        arguments.mode = LIFECYCLE;
    } else if (strcmp(argv[1], "reset") == 0) {
        arguments.mode = RESET;
    } else if (strcmp(argv[1], "exits") == 0) {
        arguments.mode = EXITS;
    } else if (strcmp(argv[1], "memory") == 0) {
        arguments.mode = MEMORY;
    } else {
        die("unknown mode '%s'", argv[1]);
    }
    arguments.count = parse_number(argv[2], "COUNT");
    if (arguments.count == 0) {
        die("COUNT must be positive");
    }
    parse_code(argv[3], &arguments.guest);
    arguments.guest.rax = parse_number(argv[4], "RAX");
    arguments.guest.rbx = parse_number(argv[5], "RBX");
    arguments.guest.rcx = parse_number(argv[6], "RCX");
    arguments.guest.rdx = parse_number(argv[7], "RDX");
    return arguments;
}

static void print_record(const struct run_record *record) {
    printf("serial=");
    for (size_t i = 0; i < record->serial_length; i++) {
        printf("%02x", record->serial[i]);
    }
    printf("\nexits=%llu\n", (unsigned long long)record->exits);
}

/* What each baseline implements, against its own hypervisor. */
struct vm;
static void hypervisor_open(void);
/* Creates a VM with GUEST_SIZE bytes of RAM at GUEST_ADDRESS, the guest's code and registers loaded. */
static struct vm *vm_create(const struct guest *guest);
/* Loads the guest's code and registers into an existing VM, as vm_create does into a new one. */
static void vm_load(struct vm *vm, const struct guest *guest);
/* Runs the VM until HLT, recording its exits; anything else is an error. */
static void vm_run(struct vm *vm, struct run_record *record);
static void vm_close(struct vm *vm);

int main(int argc, char **argv) {
    struct arguments arguments = parse_arguments(argc, argv);
    struct run_record record;
    hypervisor_open();
    if (arguments.mode == LIFECYCLE) {
        uint64_t start = now_ns();
        for (uint64_t i = 0; i < arguments.count; i++) {
            struct vm *vm = vm_create(&arguments.guest);
            memset(&record, 0, sizeof record);
            vm_run(vm, &record);
            vm_close(vm);
        }
        printf("ns=%llu\n", (unsigned long long)(now_ns() - start));
    } else if (arguments.mode == RESET) {
        struct vm *vm = vm_create(&arguments.guest);
        uint64_t start = now_ns();
        for (uint64_t i = 0; i < arguments.count; i++) {
            if (i > 0) {
                vm_load(vm, &arguments.guest);
            }
            memset(&record, 0, sizeof record);
            vm_run(vm, &record);
        }
        printf("ns=%llu\n", (unsigned long long)(now_ns() - start));
        vm_close(vm);
    } else if (arguments.mode == EXITS) {
        struct vm *vm = vm_create(&arguments.guest);
        memset(&record, 0, sizeof record);
        uint64_t start = now_ns();
        vm_run(vm, &record);
        printf("ns=%llu\n", (unsigned long long)(now_ns() - start));
        vm_close(vm);
    } else {
        struct vm **vms = calloc(arguments.count, sizeof *vms);
        if (vms == NULL) {
            die("out of memory");
        }
        long before = rss_kib();
        for (uint64_t i = 0; i < arguments.count; i++) {
            vms[i] = vm_create(&arguments.guest);
            memset(&record, 0, sizeof record);
            vm_run(vms[i], &record);
        }
        long after = rss_kib();
        printf("rss_before_kib=%ld\nrss_after_kib=%ld\n", before, after);
        for (uint64_t i = 0; i < arguments.count; i++) {
            vm_close(vms[i]);
        }
        free(vms);
    }
    printf("count=%llu\n", (unsigned long long)arguments.count);
    print_record(&record);
    return 0;
}

#endif

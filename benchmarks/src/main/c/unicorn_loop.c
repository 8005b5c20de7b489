/*
 * The C baseline on libunicorn: an engine set up as junit-kvm's emulator worker sets up a REAL-mode
 * machine (UnicornEngine.open: a UC_MODE_16 engine, the RAM, MMIO over every hole below 0x110000,
 * the OUT, IN, interrupt and unmapped-access hooks), the same register writes and reads
 * (RealModeRegisters), the same run and stop checks, in one process, without Java, JNA, the worker
 * process or its pipe. See bench.h for usage.
 */
#include "bench.h"

#include <unicorn/unicorn.h>

/* The REAL-mode engine's MMIO limit (EngineKind.SIXTEEN_BIT): 1 MiB plus the HMA. */
#define MMIO_LIMIT 0x110000u
#define EFER_MSR 0xc0000080u

struct vm {
    uc_engine *uc;
    struct run_record *record;
};

static const int general[] = {UC_X86_REG_EAX, UC_X86_REG_EBX, UC_X86_REG_ECX, UC_X86_REG_EDX,
                              UC_X86_REG_ESI, UC_X86_REG_EDI, UC_X86_REG_ESP, UC_X86_REG_EBP};
static const int segments[] = {UC_X86_REG_CS, UC_X86_REG_DS, UC_X86_REG_ES,
                               UC_X86_REG_FS, UC_X86_REG_GS, UC_X86_REG_SS};
static const int controls[] = {UC_X86_REG_CR0, UC_X86_REG_CR2, UC_X86_REG_CR3, UC_X86_REG_CR4};

static void check(uc_err error, const char *what) {
    if (error != UC_ERR_OK) {
        die("%s: %s", what, uc_strerror(error));
    }
}

static void hypervisor_open(void) {
}

static void on_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *user_data) {
    (void)uc;
    (void)size;
    struct vm *vm = user_data;
    vm->record->exits++;
    record_out(vm->record, port & 0xffff, (uint8_t)value);
}

static uint32_t on_in(uc_engine *uc, uint32_t port, int size, void *user_data) {
    (void)uc, (void)port, (void)size, (void)user_data;
    die("the guest read a port");
    return 0;
}

static void on_interrupt(uc_engine *uc, uint32_t vector, void *user_data) {
    (void)user_data;
    uc_emu_stop(uc);
    die("CPU exception %u", vector);
}

static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t address, int size, int64_t value, void *user_data) {
    (void)uc, (void)type, (void)size, (void)value, (void)user_data;
    die("access to unmapped 0x%llx", (unsigned long long)address);
    return false;
}

static uint64_t on_mmio_read(uc_engine *uc, uint64_t offset, unsigned size, void *base) {
    (void)uc, (void)offset, (void)size, (void)base;
    die("the guest read MMIO");
    return 0;
}

static void on_mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *base) {
    (void)uc, (void)offset, (void)size, (void)value, (void)base;
    die("the guest wrote MMIO");
}

static uint64_t read_register(uc_engine *uc, int id) {
    uint64_t value = 0;
    check(uc_reg_read(uc, id, &value), "uc_reg_read");
    return value;
}

static void write_register(uc_engine *uc, int id, uint64_t value) {
    check(uc_reg_write(uc, id, &value), "uc_reg_write");
}

static uint64_t read_efer(uc_engine *uc) {
    uc_x86_msr msr = {.rid = EFER_MSR};
    check(uc_reg_read(uc, UC_X86_REG_MSR, &msr), "uc_reg_read(EFER)");
    return msr.value;
}

/* RealModeRegisters.specialRegisters: the selectors, GDTR, IDTR, CR0-CR4, EFER. */
static void read_special(uc_engine *uc, uint64_t values[6], uc_x86_mmr tables[2]) {
    for (int i = 0; i < 6; i++) {
        values[i] = read_register(uc, segments[i]);
    }
    check(uc_reg_read(uc, UC_X86_REG_GDTR, &tables[0]), "uc_reg_read(GDTR)");
    check(uc_reg_read(uc, UC_X86_REG_IDTR, &tables[1]), "uc_reg_read(IDTR)");
    for (int i = 0; i < 4; i++) {
        read_register(uc, controls[i]);
    }
    read_efer(uc);
}

/* RealModeRegisters.setSpecialRegisters, with every selector 0 as CpuModeSetup asks in REAL mode. */
static void write_special(uc_engine *uc, uc_x86_mmr tables[2]) {
    read_efer(uc);
    for (int i = 0; i < 6; i++) {
        write_register(uc, segments[i], 0);
    }
    for (int i = 0; i < 4; i++) {
        write_register(uc, controls[i], 0);
    }
    check(uc_reg_write(uc, UC_X86_REG_GDTR, &tables[0]), "uc_reg_write(GDTR)");
    check(uc_reg_write(uc, UC_X86_REG_IDTR, &tables[1]), "uc_reg_write(IDTR)");
}

/* ThirtyTwoBitRegisters.registers. */
static void read_general(uc_engine *uc) {
    for (int i = 0; i < 8; i++) {
        read_register(uc, general[i]);
    }
    read_register(uc, UC_X86_REG_EIP);
    read_register(uc, UC_X86_REG_EFLAGS);
}

static void add_hook(struct vm *vm, int type, void *callback, const char *what, int instruction) {
    uc_hook hook;
    uc_err error = instruction != 0 ? uc_hook_add(vm->uc, &hook, type, callback, vm, 1, 0, instruction)
                                    : uc_hook_add(vm->uc, &hook, type, callback, vm, 1, 0);
    check(error, what);
}

static struct vm *vm_create(const struct guest *guest) {
    struct vm *vm = calloc(1, sizeof *vm);
    check(uc_open(UC_ARCH_X86, UC_MODE_16, &vm->uc), "uc_open");
    check(uc_mem_map(vm->uc, GUEST_ADDRESS, GUEST_SIZE, UC_PROT_ALL), "uc_mem_map");
    check(uc_mmio_map(vm->uc, 0, GUEST_ADDRESS, on_mmio_read, (void *)0, on_mmio_write, (void *)0), "uc_mmio_map");
    check(uc_mmio_map(vm->uc, GUEST_ADDRESS + GUEST_SIZE, MMIO_LIMIT - (GUEST_ADDRESS + GUEST_SIZE), on_mmio_read,
                      (void *)(uintptr_t)(GUEST_ADDRESS + GUEST_SIZE), on_mmio_write,
                      (void *)(uintptr_t)(GUEST_ADDRESS + GUEST_SIZE)),
          "uc_mmio_map");
    add_hook(vm, UC_HOOK_INSN, on_out, "uc_hook_add(OUT)", UC_X86_INS_OUT);
    add_hook(vm, UC_HOOK_INSN, on_in, "uc_hook_add(IN)", UC_X86_INS_IN);
    add_hook(vm, UC_HOOK_INTR, on_interrupt, "uc_hook_add(INTR)", 0);
    add_hook(vm, UC_HOOK_MEM_UNMAPPED, on_unmapped, "uc_hook_add(UNMAPPED)", 0);
    vm_load(vm, guest);
    return vm;
}

static void vm_load(struct vm *vm, const struct guest *guest) {
    check(uc_mem_write(vm->uc, GUEST_ADDRESS, guest->code, guest->length), "uc_mem_write");

    uint64_t selectors[6];
    uc_x86_mmr tables[2];
    read_special(vm->uc, selectors, tables);
    write_special(vm->uc, tables);
    uint64_t values[8] = {guest->rax, guest->rbx, guest->rcx, guest->rdx, 0, 0, GUEST_ADDRESS + GUEST_SIZE, 0};
    for (int i = 0; i < 8; i++) {
        write_register(vm->uc, general[i], values[i]);
    }
    write_register(vm->uc, UC_X86_REG_EIP, GUEST_ADDRESS);
    write_register(vm->uc, UC_X86_REG_EFLAGS, 0x2);
}

static void vm_run(struct vm *vm, struct run_record *record) {
    vm->record = record;
    uint64_t begin = (read_register(vm->uc, UC_X86_REG_CS) << 4) + read_register(vm->uc, UC_X86_REG_EIP);
    /* As the worker does: no end address a guest reaches, no instruction count; only a stop ends it. */
    check(uc_emu_start(vm->uc, begin, (uint64_t)-1, 0, 0), "uc_emu_start");
    vm->record = NULL;
    /* UnicornEngine.outcome: where it stopped, the byte before (HLT?), the code there, the timeout. */
    read_register(vm->uc, UC_X86_REG_CS);
    read_general(vm->uc);
    uint64_t here = (read_register(vm->uc, UC_X86_REG_CS) << 4) + read_register(vm->uc, UC_X86_REG_EIP);
    uint8_t before[1], code[8];
    check(uc_mem_read(vm->uc, here - 1, before, 1), "uc_mem_read");
    check(uc_mem_read(vm->uc, here, code, 8), "uc_mem_read");
    size_t timed_out;
    check(uc_query(vm->uc, UC_QUERY_TIMEOUT, &timed_out), "uc_query");
    if (before[0] != 0xf4) {
        die("the guest stopped at 0x%llx, not after a HLT", (unsigned long long)here);
    }
    record->exits++; /* the HLT */
    /* StateAtStop: both register sets. */
    uint64_t selectors[6];
    uc_x86_mmr tables[2];
    read_general(vm->uc);
    read_special(vm->uc, selectors, tables);
}

static void vm_close(struct vm *vm) {
    check(uc_close(vm->uc), "uc_close");
    free(vm);
}

/*
 * The C baseline on /dev/kvm: the same ioctls, in the same order, as junit-kvm's KVM backend makes
 * for a REAL-mode guest (KvmHypervisor.open, KvmMachine.create, CpuModeSetup, GuestVm.run,
 * StateAtStop, close), without Java, JNA or the extension's bookkeeping. See bench.h for usage.
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

/* Where the extension puts Intel's real-mode TSS (KvmMachine.TSS_ADDRESS). */
#define TSS_ADDRESS 0xfffbd000ul
#define CPUID_ENTRIES 256

struct vm {
    int vm_fd;
    int vcpu_fd;
    uint8_t *ram;
    struct kvm_run *run;
};

static int kvm_fd;
static size_t run_size;
static struct kvm_cpuid2 *cpuid;

static int checked_ioctl(int fd, unsigned long request, unsigned long argument, const char *what) {
    int result;
    do {
        result = ioctl(fd, request, argument);
    } while (result < 0 && errno == EINTR);
    if (result < 0) {
        die("%s: %s", what, strerror(errno));
    }
    return result;
}

static void hypervisor_open(void) {
    kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm_fd < 0) {
        die("/dev/kvm: %s", strerror(errno));
    }
    if (checked_ioctl(kvm_fd, KVM_GET_API_VERSION, 0, "KVM_GET_API_VERSION") != KVM_API_VERSION) {
        die("unexpected KVM API version");
    }
    run_size = (size_t)checked_ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0, "KVM_GET_VCPU_MMAP_SIZE");
    cpuid = calloc(1, sizeof *cpuid + CPUID_ENTRIES * sizeof cpuid->entries[0]);
    cpuid->nent = CPUID_ENTRIES;
    checked_ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, (unsigned long)cpuid, "KVM_GET_SUPPORTED_CPUID");
}

static struct kvm_segment real_mode_segment(uint8_t type) {
    struct kvm_segment segment = {.base = 0, .limit = 0xffff, .selector = 0, .type = type, .present = 1, .s = 1};
    return segment;
}

static struct vm *vm_create(const struct guest *guest) {
    struct vm *vm = calloc(1, sizeof *vm);
    vm->vm_fd = checked_ioctl(kvm_fd, KVM_CREATE_VM, 0, "KVM_CREATE_VM");
    vm->ram = mmap(NULL, GUEST_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (vm->ram == MAP_FAILED) {
        die("mmap guest RAM: %s", strerror(errno));
    }
    struct kvm_userspace_memory_region region = {
        .slot = 0, .guest_phys_addr = GUEST_ADDRESS, .memory_size = GUEST_SIZE, .userspace_addr = (uintptr_t)vm->ram};
    checked_ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, (unsigned long)&region, "KVM_SET_USER_MEMORY_REGION");
    checked_ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, TSS_ADDRESS, "KVM_SET_TSS_ADDR");
    vm->vcpu_fd = checked_ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU");
    checked_ioctl(vm->vcpu_fd, KVM_SET_CPUID2, (unsigned long)cpuid, "KVM_SET_CPUID2");
    vm->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
    if (vm->run == MAP_FAILED) {
        die("mmap kvm_run: %s", strerror(errno));
    }
    vm_load(vm, guest);
    return vm;
}

static void vm_load(struct vm *vm, const struct guest *guest) {
    memcpy(vm->ram, guest->code, guest->length);

    /* CpuModeSetup reads the reset state, then KvmMachine.setSpecialRegisters reads and writes. */
    struct kvm_sregs sregs;
    checked_ioctl(vm->vcpu_fd, KVM_GET_SREGS, (unsigned long)&sregs, "KVM_GET_SREGS");
    checked_ioctl(vm->vcpu_fd, KVM_GET_SREGS, (unsigned long)&sregs, "KVM_GET_SREGS");
    sregs.cs = real_mode_segment(0xb);
    sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = real_mode_segment(0x3);
    checked_ioctl(vm->vcpu_fd, KVM_SET_SREGS, (unsigned long)&sregs, "KVM_SET_SREGS");

    struct kvm_regs regs = {.rax = guest->rax, .rbx = guest->rbx, .rcx = guest->rcx, .rdx = guest->rdx,
                            .rsp = GUEST_ADDRESS + GUEST_SIZE, .rip = GUEST_ADDRESS, .rflags = 0x2};
    checked_ioctl(vm->vcpu_fd, KVM_SET_REGS, (unsigned long)&regs, "KVM_SET_REGS");
}

static void vm_run(struct vm *vm, struct run_record *record) {
    for (;;) {
        checked_ioctl(vm->vcpu_fd, KVM_RUN, 0, "KVM_RUN");
        record->exits++;
        struct kvm_run *run = vm->run;
        if (run->exit_reason == KVM_EXIT_HLT) {
            break;
        }
        if (run->exit_reason != KVM_EXIT_IO) {
            die("unexpected exit reason %u", run->exit_reason);
        }
        if (run->io.direction == KVM_EXIT_IO_OUT) {
            uint8_t *data = (uint8_t *)run + run->io.data_offset;
            for (uint32_t i = 0; i < run->io.count; i++) {
                record_out(record, run->io.port, data[i * run->io.size]);
            }
        }
    }
    /* StateAtStop reads both register sets after every run. */
    struct kvm_regs regs;
    struct kvm_sregs sregs;
    checked_ioctl(vm->vcpu_fd, KVM_GET_REGS, (unsigned long)&regs, "KVM_GET_REGS");
    checked_ioctl(vm->vcpu_fd, KVM_GET_SREGS, (unsigned long)&sregs, "KVM_GET_SREGS");
}

static void vm_close(struct vm *vm) {
    munmap(vm->run, run_size);
    close(vm->vcpu_fd);
    munmap(vm->ram, GUEST_SIZE);
    close(vm->vm_fd);
    free(vm);
}

package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.Firmware;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Memory;
import io.github.junitkvm.VmExit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * Software-interrupt services in Java ({@link KvmVm#onInterrupt}) for guests that start in
 * {@code PROTECTED}, {@code PAGED} and {@code LONG} mode: the guest's {@code int n} and its
 * exceptions reach the handler through the firmware ROM's IDT and its 32- or 64-bit entry points,
 * the handler works on the caller's registers and flags, an exception's error code is discarded
 * before the return, and a guest's own IDT chains to the firmware's gate as it would to any. Each
 * test runs on the backend {@code junitkvm.backend} selects, with the same result on each.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class IdtInterruptServicesTest {
    private static final long CF = 1;
    private static final long ROM = 0xf0000;
    private static final long ENTRY_POINTS_32 = ROM + 0x3000;
    private static final long ENTRY_POINTS_64 = ROM + 0x4000;
    private static final String CARRY_ROUND_TRIP_32 = """
                    mov $0x0902, %eax
                    mov $40, %ebx
                    stc                 # the handler clears CF: the caller finds it clear
                    int $0x21
                    jc failed
                    mov %ecx, %edx      # the handler's answer
                    hlt
            failed: mov $0xbad, %edx
                    hlt
            """;

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, firmware = Firmware.INTERRUPTS, asm = CARRY_ROUND_TRIP_32)
    void aProtectedModeGuestsIntReachesTheHandlerWithItsFlags(KvmVm vm) {
        assertServedWithTheCallersFlags(vm, ENTRY_POINTS_32 + 0x21 * 16, 0x08, 12);
        assertThat(vm.specialRegisters().idt()).isEqualTo(new DescriptorTable(ROM + 0x1000, 256 * 8 - 1));
    }

    @Test
    @KvmGuest(mode = CpuMode.PAGED, firmware = Firmware.INTERRUPTS, asm = CARRY_ROUND_TRIP_32)
    void aPagedGuestsIntReachesTheHandlerWithItsFlags(KvmVm vm) {
        assertServedWithTheCallersFlags(vm, ENTRY_POINTS_32 + 0x21 * 16, 0x08, 12);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, firmware = Firmware.INTERRUPTS, asm = """
                    mov $0x0902, %eax
                    mov $40, %ebx
                    stc
                    int $0x21
                    jc failed
                    mov %rcx, %rdx
                    hlt
            failed: mov $0xbad, %edx
                    hlt
            """)
    void aLongModeGuestsIntReachesTheHandlerWithItsFlags(KvmVm vm) {
        assertServedWithTheCallersFlags(vm, ENTRY_POINTS_64 + 0x21 * 16, 0x18, 40);
        assertThat(vm.specialRegisters().idt()).isEqualTo(new DescriptorTable(ROM + 0x2000, 256 * 16 - 1));
    }

    /**
     * The handler sees the entry point's RIP, CS and stack (the frame on top) and the caller's
     * flags; the carry it clears is what the caller finds.
     *
     * @param frameBytes what the CPU pushed: EIP, CS, EFLAGS; or RIP, CS, RFLAGS, RSP, SS
     */
    private static void assertServedWithTheCallersFlags(KvmVm vm, long entryPoint, int codeSelector, int frameBytes) {
        List<GeneralRegisters> seen = new ArrayList<>();
        List<Integer> selectors = new ArrayList<>();
        vm.onInterrupt(0x21, vector -> {
            GeneralRegisters at = vm.registers();
            seen.add(at);
            selectors.add(vm.specialRegisters().cs().selector());
            vm.setRegisters(at.withRcx(at.rbx() + 2).withRflags(at.rflags() & ~CF));
        });

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRdx(42);
        assertThat(seen).singleElement().satisfies(at -> {
            assertThat(at.rflags() & CF).as("the caller's CF, set by its stc").isEqualTo(CF);
            assertThat(at.rip()).as("RIP in the handler: the vector's entry point").isEqualTo(entryPoint);
            assertThat(at.rsp()).as("RSP in the handler: the frame on the caller's stack")
                    .isEqualTo(run.registers().rsp() - frameBytes);
        });
        assertThat(selectors).as("CS in the handler: the gate's").containsExactly(codeSelector);
        assertThat(run.exits()).containsExactly(VmExit.interrupt(0x21), VmExit.hlt());
        assertThat(run.exits().get(0).detail()).isEqualTo("AH=0x09");
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, firmware = Firmware.INTERRUPTS, asm = """
                    mov %esp, %ebp
                    mov $0x28, %eax
                    mov %eax, %ds       # beyond the GDT's four descriptors: #GP(0x28)
                    mov $7, %edx
                    hlt
            """)
    void aProtectedModeExceptionWithAnErrorCodeIsServedAndReturnsPastIt(KvmVm vm) {
        List<Long> errorCodes = new ArrayList<>();
        vm.onInterrupt(13, vector -> {
            long frame = vm.registers().rsp();
            errorCodes.add((long) vm.memory().readInt(frame));
            // The handler skips the faulting 2-byte instruction, as a kernel's fix-up would.
            vm.memory().writeInt(frame + 4, vm.memory().readInt(frame + 4) + 2);
        });

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRdx(7);
        assertThat(errorCodes).containsExactly(0x28L);
        assertThat(run.exits()).containsExactly(VmExit.interrupt(13), VmExit.hlt());
        assertThat(run.exits().get(0).detail()).endsWith(", error code 0x28");
        assertThat(run.registers().rsp()).as("the error code was popped before IRETD").isEqualTo(run.registers().rbp());
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, firmware = Firmware.INTERRUPTS, asm = """
                    mov %rsp, %rbp
                    mov $0x28, %eax
                    mov %eax, %ds       # #GP(0x28)
                    mov $7, %edx
                    hlt
            """)
    void aLongModeExceptionWithAnErrorCodeIsServedAndReturnsPastIt(KvmVm vm) {
        List<Long> errorCodes = new ArrayList<>();
        vm.onInterrupt(13, vector -> {
            long frame = vm.registers().rsp();
            errorCodes.add(vm.memory().readLong(frame));
            vm.memory().writeLong(frame + 8, vm.memory().readLong(frame + 8) + 2);
        });

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRdx(7);
        assertThat(errorCodes).containsExactly(0x28L);
        assertThat(run.exits().get(0).detail()).endsWith(", error code 0x28");
        assertThat(run.registers().rsp()).as("the error code was popped before IRETQ").isEqualTo(run.registers().rbp());
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, firmware = Firmware.INTERRUPTS, asm = """
                    # copy the firmware's IDT, hook INT 0x21 with a handler that counts calls in EBP
                    # and chains to the firmware's gate, and load the copy
                    sidt idtr
                    mov idtr+2, %esi
                    mov $idt, %edi
                    mov $0x800/4, %ecx
                    cld
                    rep movsl
                    mov $idt+0x21*8, %edi
                    movzwl (%edi), %eax
                    movzwl 6(%edi), %ebx
                    shl $16, %ebx
                    or %ebx, %eax
                    mov %eax, old
                    mov $hook, %eax
                    mov %ax, (%edi)
                    shr $16, %eax
                    mov %ax, 6(%edi)
                    movl $idt, idtr+2
                    lidt idtr
                    xor %ebp, %ebp
                    xor %edi, %edi
                    int $0x21
                    int $0x21
                    hlt
            hook:   inc %ebp
                    jmp *old
                    .balign 8
            old:    .long 0
            idtr:   .word 0
                    .long 0
                    .balign 8
            idt:    .fill 0x800, 1, 0
            """)
    void aGuestIdtThatChainsToTheFirmwaresGateReachesTheJavaHandler(KvmVm vm) {
        List<Long> calls = new ArrayList<>();
        vm.onInterrupt(0x21, vector -> {
            GeneralRegisters at = vm.registers();
            calls.add(at.rbp());
            vm.setRegisters(at.withRdi(at.rdi() + 1));
        });

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRbp(2).hasRdi(2);
        assertThat(calls).as("EBP the Java handler saw: the guest's hook ran first").containsExactly(1L, 2L);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, firmware = Firmware.INTERRUPTS,
              memory = @Memory(guestAddress = 0x100000, size = 0x200000), loadAddress = 0x100000, asm = """
                    mov $0x4c00, %eax
                    int $0x21
                    mov $7, %edx
                    hlt
            """)
    void aVectorNobodyServesStopsTheRunAndTheNextRunMakesTheCallAgain(KvmVm vm) {
        InterruptServicesTest.assertUnservedDosExitStopsThenRunsServed(vm);
    }
}

package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.github.junitkvm.ExitReason;
import io.github.junitkvm.Firmware;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.testsupport.FixtureRuns;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * Software-interrupt services in Java ({@link KvmVm#onInterrupt}): the guest's {@code int n}
 * reaches the handler through the interrupt vector table and the firmware ROM's entry point, the
 * handler works on the caller's registers and flags, and the guest goes on after its {@code int};
 * a guest's own handler that chains to the old vector reaches the Java handler as on a PC. Each
 * test runs on the backend {@code junitkvm.backend} selects, with the same result on each.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class InterruptServicesTest {
    private static final long CF = 1;

    @Test
    @KvmGuest(firmware = Firmware.INTERRUPTS, asm = """
                    mov $0x0902, %ax
                    mov $40, %bx
                    stc                 # the handler clears CF: the caller finds it clear
                    int $0x21
                    jc failed
                    mov %cx, %dx        # the handler's answer
                    hlt
            failed: mov $0xbad, %dx
                    hlt
            """)
    void aHandlerAnswersInRegistersAndFlagsAndTheGuestGoesOnAfterItsInt(KvmVm vm) {
        List<Long> flagsSeen = new ArrayList<>();
        List<Long> ripSeen = new ArrayList<>();
        vm.onInterrupt(0x21, vector -> {
            GeneralRegisters at = vm.registers();
            flagsSeen.add(at.rflags());
            ripSeen.add(at.rip());
            vm.setRegisters(at.withRcx(at.rbx() + 2).withRflags(at.rflags() & ~CF));
        });

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRdx(42);
        assertThat(flagsSeen).singleElement().satisfies(flags ->
                assertThat(flags & CF).as("the caller's CF, set by its stc").isEqualTo(CF));
        assertThat(ripSeen).as("IP in the handler: vector 0x21's entry point, F000:0108").containsExactly(0x108L);
        assertThat(vm.specialRegisters().cs().selector()).isZero();
        assertThat(run.exits()).containsExactly(VmExit.interrupt(0x21), VmExit.hlt());
        assertThat(run.exits().get(0).detail()).isEqualTo("AH=0x09");
    }

    @Test
    @KvmGuest(firmware = Firmware.INTERRUPTS, asm = """
                    int $0x40           # the handler sets CF
                    jnc failed
                    mov $1, %dx
                    hlt
            failed: mov $0xbad, %dx
                    hlt
            """)
    void aHandlerSetsTheCarryFlagTheCallerFinds(KvmVm vm) {
        vm.onInterrupt(0x40, vector -> vm.setRegisters(vm.registers().withRflags(vm.registers().rflags() | CF)));

        assertThat(vm.run()).haltedNormally().registers().hasRdx(1);
    }

    @Test
    @KvmGuest(firmware = Firmware.INTERRUPTS, asm = """
                    # install a hook of INT 0x21 that counts calls in SI and chains to the old vector
                    xor %ax, %ax
                    mov %ax, %es
                    mov %es:0x84, %ax
                    mov %ax, old
                    mov %es:0x86, %ax
                    mov %ax, old + 2
                    movw $hook, %es:0x84
                    movw $0, %es:0x86
                    mov $0x0100, %ax
                    int $0x21
                    int $0x21
                    hlt
            hook:   inc %si
                    pushf               # chain as a PC program does: a far call with the flags of an int
                    lcall *%cs:old
                    iret
            old:    .long 0
            """)
    void aGuestHookThatChainsToTheOldVectorReachesTheJavaHandler(KvmVm vm) {
        List<Integer> calls = new ArrayList<>();
        vm.onInterrupt(0x21, vector -> {
            GeneralRegisters at = vm.registers();
            calls.add((int) at.rsi());
            vm.setRegisters(at.withRdi(at.rdi() + 1));
        });

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().registers().hasRsi(2).hasRdi(2);
        assertThat(calls).as("SI the Java handler saw: the hook ran first").containsExactly(1, 2);
    }

    @Test
    @KvmGuest(firmware = Firmware.INTERRUPTS, asm = """
                    mov $0x4c00, %ax
                    int $0x21
                    mov $7, %dx
                    hlt
            """)
    void aVectorNobodyServesStopsTheRunNamingItAndTheCallIsMadeAgainByTheNextRun(KvmVm vm) {
        assertUnservedDosExitStopsThenRunsServed(vm);
    }

    /**
     * For a guest that calls {@code int 0x21} with AH = 0x4c, then sets DX to 7 and halts: the
     * unserved call stops the run naming vector and AH; served, the next run makes it again.
     */
    static void assertUnservedDosExitStopsThenRunsServed(KvmVm vm) {
        GuestRun unserved = vm.run();

        assertThat(unserved).stoppedWith(ExitReason.STOPPED);
        assertThat(unserved.lastExit().detail()).contains("int 0x21 AH=0x4c").contains("vector 0x21");

        List<Integer> served = new ArrayList<>();
        vm.onInterrupt(0x21, served::add);
        assertThat(vm.run()).haltedNormally().registers().hasRdx(7);
        assertThat(served).containsExactly(0x21);
    }

    @Test
    @KvmGuest(firmware = Firmware.INTERRUPTS, asm = """
                    int $0x60
                    mov $7, %dx
                    hlt
            """)
    void aHandlerThatStopsTheRunLetsTheNextRunGoOnAfterTheInt(KvmVm vm) {
        List<Integer> served = new ArrayList<>();
        vm.onInterrupt(0x60, vector -> {
            served.add(vector);
            vm.stopRun("seen");
        });

        assertThat(vm.run()).stoppedWith(ExitReason.STOPPED);
        assertThat(vm.run()).haltedNormally().registers().hasRdx(7);
        assertThat(served).containsExactly(0x60);
    }

    @Test
    @KvmGuest(firmware = Firmware.INTERRUPTS, asm = """
                    xor %dx, %dx
                    div %dl             # divide error: vector 0, through the same table
                    hlt
            """)
    void anExceptionReachesTheFirmwareThroughTheVectorTable(KvmVm vm) {
        GuestRun run = vm.run();

        assertThat(run).stoppedWith(ExitReason.STOPPED);
        assertThat(run.lastExit().detail()).contains("int 0x00");
        assertThat(run.exits()).startsWith(VmExit.interrupt(0));
    }

    @Test
    @KvmGuest(firmware = Firmware.INTERRUPTS, code = "f4")
    void theVectorTablePointsEveryVectorAtItsEntryPointInTheRom(KvmVm vm) {
        for (int vector : new int[] {0, 0x10, 0x21, 0xff}) {
            assertThat(vm.memory().readShort(4L * vector)).as("offset of vector %d", vector).isEqualTo(vector * 8);
            assertThat(vm.memory().readShort(4L * vector + 2)).as("segment of vector %d", vector).isEqualTo(0xf000);
        }
        assertThat(vm.memory().read(0xf0000 + 0x21 * 8, 5))
                .as("out %%al, $0xe2; jz .-2; iret").containsExactly(0xe6, 0xe2, 0x74, 0xfc, 0xcf);
    }

    @Test
    @KvmGuest(firmware = Firmware.INTERRUPTS, code = "f4")
    void aVectorOutOfRangeIsRefused(KvmVm vm) {
        assertThatIllegalArgumentException().isThrownBy(() -> vm.onInterrupt(256, vector -> { }))
                .withMessage("interrupt vector 256 (0x100) is not 0 to 255");
        assertThatIllegalArgumentException().isThrownBy(() -> vm.onInterrupt(-1, vector -> { }));
        assertThatIllegalArgumentException().isThrownBy(() -> vm.onPortOut(0xe2, (port, size, value) -> { }))
                .withMessageContaining("port 0xe2 is the firmware's");
    }

    @Test
    @KvmGuest(code = "f4")
    void withoutFirmwareOnInterruptIsRefused(KvmVm vm) {
        assertThatIllegalStateException().isThrownBy(() -> vm.onInterrupt(0x21, vector -> { }))
                .withMessageContaining("@KvmGuest(firmware = Firmware.INTERRUPTS)");
        assertThat(vm.memory().readInt(4L * 0x21)).as("the vector table stays zero").isZero();
    }

    @Test
    void firmwareThatCannotWorkFailsTheTestNamingWhy() {
        assertThat(FixtureRuns.failureOf(Fixture.class, "romOverlapsRam", KvmVm.class.getName()))
                .hasMessageContaining("@KvmGuest(firmware = INTERRUPTS): the firmware ROM [0xf0000, 0x100000)"
                        + " overlaps memory[0] [0x0, 0x200000)");
        assertThat(FixtureRuns.failureOf(Fixture.class, "longMode", KvmVm.class.getName()))
                .hasMessageContaining("@KvmGuest(firmware = BIOS, mode = LONG): the PC BIOS serves REAL-mode guests");
        assertThat(FixtureRuns.failureOf(Fixture.class, "noLowRam", KvmVm.class.getName()))
                .hasMessageContaining("the interrupt vector table and the BIOS data area need writable RAM at"
                        + " [0x0, 0x500)");
    }

    /** Run by {@link #firmwareThatCannotWorkFailsTheTestNamingWhy} only. */
    @Tag("fixture")
    static class Fixture {
        @Test
        @KvmGuest(firmware = Firmware.INTERRUPTS, memory = @io.github.junitkvm.Memory(size = 0x200000), code = "f4")
        void romOverlapsRam(KvmVm vm) {
        }

        @Test
        @KvmGuest(firmware = Firmware.BIOS, mode = io.github.junitkvm.CpuMode.LONG, code = "f4")
        void longMode(KvmVm vm) {
        }

        @Test
        @KvmGuest(firmware = Firmware.INTERRUPTS,
                  memory = @io.github.junitkvm.Memory(guestAddress = 0x1000, size = 0x1000), code = "f4")
        void noLowRam(KvmVm vm) {
        }
    }
}

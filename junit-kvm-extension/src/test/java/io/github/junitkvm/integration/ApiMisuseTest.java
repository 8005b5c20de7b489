package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.MmioHandler;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import java.lang.management.ManagementFactory;
import java.time.temporal.ChronoUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Misusing the API gets an {@link IllegalArgumentException} saying what is wrong, before anything is
 * allocated in proportion to what the arguments claim, never an {@link OutOfMemoryError} or an
 * arithmetic overflow; lengths and limits as large as their types allow are taken as they are.
 */
class ApiMisuseTest {
    private static final long FOUR_GIB = 1L << 32;
    /** The largest array a JVM allocates: a read of it outside RAM must not try. */
    private static final int HUGE = Integer.MAX_VALUE - 8;
    /**
     * Far more than refusing a read takes (an exception, its message, the first use's class loading),
     * far less than {@link #HUGE}.
     */
    private static final long ALLOCATION_BOUND = 64 << 20;
    private static final MmioHandler NO_DEVICE = (address, size) -> 0;

    @Test
    @KvmGuest(code = "f4")
    void aHugeReadOutsideRamIsRefusedBeforeItsBufferIsAllocated(KvmVm vm) {
        GuestRun run = vm.run();

        assertRefusedCheaply(() -> vm.memory().read(FOUR_GIB, HUGE), "0x100000000");
        assertRefusedCheaply(() -> run.memory().read(FOUR_GIB, HUGE), "0x100000000");
        assertRefusedCheaply(() -> assertThat(run).memoryAt(FOUR_GIB, HUGE), "0x100000000");
    }

    @Test
    @KvmGuest(code = "f4")
    void aHugeReadStartingInRamButRunningPastItIsRefusedBeforeItsBufferIsAllocated(KvmVm vm) {
        assertRefusedCheaply(() -> vm.memory().read(0x1ff000, HUGE), "0x1ff000");
    }

    @Test
    @KvmGuest(code = "f4")
    void anMmioRangeRunningPastTheAddressSpaceIsRefusedEvenWhereItStartsInRam(KvmVm vm) {
        assertThatIllegalArgumentException().isThrownBy(() -> vm.onMmio(0x1000, Long.MAX_VALUE, NO_DEVICE))
                .withMessage("onMmio range of 0x7fffffffffffffff bytes at guest address 0x1000 runs past the end"
                        + " of the guest physical address space (2^63)");
        assertThatIllegalArgumentException().isThrownBy(() -> vm.onMmio(0x300000, Long.MAX_VALUE - 0x1000, NO_DEVICE))
                .withMessageContaining("runs past the end of the guest physical address space");
        assertThatIllegalArgumentException().isThrownBy(() -> vm.onMmio(-0x1000, 0x2000, NO_DEVICE))
                .withMessageContaining("onMmio range at guest address 0xfffffffffffff000: not a guest physical address");
    }

    @Test
    @KvmGuest(code = "f4")
    void anMmioRangeReachingTheEndOfTheAddressSpaceIsTakenAndStillChecked(KvmVm vm) {
        vm.onMmio(0x300000, Long.MAX_VALUE - 0x300000, NO_DEVICE);

        assertThatIllegalArgumentException().isThrownBy(() -> vm.onMmio(Long.MAX_VALUE - 1, 1, NO_DEVICE))
                .withMessageContaining("overlaps the range [0x300000, 0x7fffffffffffffff) registered before");
        assertThatIllegalArgumentException().isThrownBy(() -> vm.onMmio(0x1000, Long.MAX_VALUE - 0x1000, NO_DEVICE))
                .withMessageContaining("overlaps guest RAM [0x0, 0x200000)");
    }

    @Test
    @KvmGuest(code = "f4", timeoutMillis = Long.MAX_VALUE)
    void theLongestTimeLimitIsNoLimit(GuestRun run) {
        assertThat(run).haltedNormally();
    }

    @Test
    @KvmGuest(code = "f4")
    void aRunForeverIsARunWithoutALimit(KvmVm vm) {
        assertThat(vm.run(ChronoUnit.FOREVER.getDuration())).haltedNormally();
    }

    /**
     * Counts the bytes the test thread allocates while the call is refused (HotSpot's per-thread
     * allocation counter), so that the test fails on an allocation of the claimed size even on a
     * heap large enough for it.
     */
    private static void assertRefusedCheaply(ThrowingCallable call, String address) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();

        assertThatIllegalArgumentException().isThrownBy(call)
                .withMessageContaining("at guest address " + address + ": not inside guest RAM [0x0, 0x200000)");

        assertThat(threads.getCurrentThreadAllocatedBytes() - before).as("bytes allocated").isLessThan(ALLOCATION_BOUND);
    }

    @Test
    @KvmGuest(code = "f4")
    void systemRegisterFieldsWiderThanTheCpuHoldsAreRefusedNotCutShort(KvmVm vm) {
        SpecialRegisters registers = vm.specialRegisters();
        Segment cs = registers.cs();

        assertThatIllegalArgumentException().isThrownBy(() -> cs.withSelector(0x10000))
                .withMessage("segment selector 0x10000, type 0xb, dpl 0: a selector has 16 bits, a type 4, a dpl 2");
        assertThatIllegalArgumentException().isThrownBy(() -> cs.withSelector(-1)).withMessageContaining("0xffffffff");
        assertThatIllegalArgumentException().isThrownBy(() -> cs.withType(0x1b)).withMessageContaining("type 0x1b");
        assertThatIllegalArgumentException().isThrownBy(() -> cs.withDpl(4)).withMessageContaining("dpl 4");
        assertThatIllegalArgumentException().isThrownBy(() -> new DescriptorTable(0x3000, 0x10000))
                .withMessage("descriptor table limit 0x10000 is not 0 to 0xffff (the table's size in bytes, minus one)");

        vm.setSpecialRegisters(registers.withIdt(new DescriptorTable(0x3000, 0xffff)));
        assertThat(vm.specialRegisters().idt()).isEqualTo(new DescriptorTable(0x3000, 0xffff));
    }

    @Test
    @KvmGuest(code = "f4")
    void reservedFlagsAreRefusedBeforeTheVcpuSeesThem(KvmVm vm) {
        GeneralRegisters registers = vm.registers();

        assertThatIllegalArgumentException().isThrownBy(() -> vm.setRegisters(registers.withRflags(0x2 | 1L << 32)))
                .withMessage("cannot set rflags to 0x100000002: reserved bits 0x100000000 set: RFLAGS bits 3, 5, 15"
                        + " and 22 to 63 are 0");
        assertThatIllegalArgumentException().isThrownBy(() -> vm.setRegisters(registers.withRflags(0x2 | 1 << 15)))
                .withMessageContaining("reserved bits 0x8000 set");
        assertThat(vm.run()).haltedNormally();
    }

    @Test
    @KvmGuest(code = "b0 2a e6 80 f4")  // mov al,42; out 0x80,al; hlt
    void aPortOutsideTheIoSpaceIsRefusedNotReportedSilent(GuestRun run) {
        assertThatIllegalArgumentException().isThrownBy(() -> run.portOutput(0x10080))
                .withMessage("port 0x10080 is not an I/O port (0 to 0xffff)");
        assertThatIllegalArgumentException().isThrownBy(() -> run.droppedOutputBytes(-1))
                .withMessage("port 0xffffffff is not an I/O port (0 to 0xffff)");
        assertThatIllegalArgumentException().isThrownBy(() -> assertThat(run).portOutput(0x10080));

        assertThat(run).portOutput(0x80).containsExactly(42);
        assertThat(run.portOutput(0xffff)).isEmpty();
    }
}

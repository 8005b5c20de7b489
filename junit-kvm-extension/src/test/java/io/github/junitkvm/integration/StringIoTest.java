package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.VmExit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * String I/O ({@code rep outs}, {@code rep ins}) of every element size: one exit per element, in
 * the order the guest executes them, with each element's own value; {@code rep ins} stores the
 * values the handler returns. KVM hands user space up to a page of elements per exit, the emulator
 * one element per hook: the recorded runs are the same.
 */
class StringIoTest {
    @Test
    @KvmGuest(asm = """
                    mov $0x80, %dx
                    mov $words, %si
                    mov $3, %cx
                    cld
                    rep outsw
                    hlt
            words:  .word 0x1234, 0xabcd, 0x0f0f
            """)
    void repOutswIsOneSixteenBitExitPerWord(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.ioOut(0x80, 2, 0x1234), VmExit.ioOut(0x80, 2, 0xabcd),
                VmExit.ioOut(0x80, 2, 0x0f0f), VmExit.hlt());
        assertThat(run).portOutput(0x80).containsExactly(0x34, 0x12, 0xcd, 0xab, 0x0f, 0x0f);
        assertThat(run).registers().hasRcx(0).hasRsi(0x100d + 6);   // words is at 0x100d;
    }

    @Test
    @KvmGuest(mode = CpuMode.PROTECTED, asm = """
                    mov $0x80, %dx
                    mov $longs, %esi
                    mov $2, %ecx
                    rep outsl
                    hlt
            longs:  .long 0xdeadbeef, 0x01020304
            """)
    void repOutsdIsOneThirtyTwoBitExitPerDoubleword(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.ioOut(0x80, 4, 0xdeadbeefL), VmExit.ioOut(0x80, 4, 0x01020304),
                VmExit.hlt());
        assertThat(run).registers().hasRcx(0);
    }

    @Test
    @KvmGuest(asm = """
                    mov $0x60, %dx
                    mov $buffer, %di
                    mov $4, %cx
                    cld
                    rep insb
                    hlt
            buffer: .fill 8, 1, 0xee
            """)
    void repInsbStoresEachValueTheHandlerReturns(KvmVm vm) {
        AtomicLong next = new AtomicLong(0x41);
        vm.onPortIn(0x60, (port, size) -> next.getAndIncrement());

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.ioIn(0x60, 1), VmExit.ioIn(0x60, 1), VmExit.ioIn(0x60, 1),
                VmExit.ioIn(0x60, 1), VmExit.hlt());
        long buffer = run.registers().rdi() - 4;
        assertThat(run).memoryAt(buffer, 6).containsExactly('A', 'B', 'C', 'D', 0xee, 0xee);
    }

    @Test
    @KvmGuest(asm = """
                    mov $0x1f0, %dx
                    mov $buffer, %di
                    mov $3, %cx
                    cld
                    rep insw
                    hlt
            buffer: .fill 8, 1, 0xee
            """)
    void repInswStoresSixteenBitElements(KvmVm vm) {
        AtomicLong next = new AtomicLong(0x1100);
        vm.onPortIn(0x1f0, (port, size) -> next.getAndAdd(0x1111));

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.ioIn(0x1f0, 2), VmExit.ioIn(0x1f0, 2), VmExit.ioIn(0x1f0, 2),
                VmExit.hlt());
        assertThat(run).memoryAt(run.registers().rdi() - 6, 8)
                .containsExactly(0x00, 0x11, 0x11, 0x22, 0x22, 0x33, 0xee, 0xee);
    }

    @Test
    @KvmGuest(mode = CpuMode.LONG, asm = """
                    mov $0xcf8, %dx
                    lea buffer(%rip), %rdi
                    mov $2, %ecx
                    rep insl
                    hlt
            buffer: .fill 12, 1, 0xee
            """)
    void repInsdStoresThirtyTwoBitElementsInLongMode(KvmVm vm) {
        AtomicLong next = new AtomicLong(0x8000_0001L);
        vm.onPortIn(0xcf8, (port, size) -> next.getAndAdd(0x1010_1010L));

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.ioIn(0xcf8, 4), VmExit.ioIn(0xcf8, 4), VmExit.hlt());
        assertThat(run.memory().readInt(run.registers().rdi() - 8)).isEqualTo(0x8000_0001);
        assertThat(run.memory().readInt(run.registers().rdi() - 4)).isEqualTo(0x9010_1011);
        assertThat(run.memory().readInt(run.registers().rdi())).isEqualTo(0xeeeeeeee);
    }

    @Test
    @KvmGuest(asm = """
                    mov $0x80, %dx
                    mov $last, %si
                    mov $3, %cx
                    std
                    rep outsb
                    cld
                    hlt
            bytes:  .byte 1, 2
            last:   .byte 3
            """)
    void backwardsStringOutputRunsFromTheHighAddressDown(GuestRun run) {
        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.ioOut(0x80, 3), VmExit.ioOut(0x80, 2), VmExit.ioOut(0x80, 1),
                VmExit.hlt());
    }

    @Test
    @KvmGuest(asm = """
                    mov $0x60, %dx
                    mov $last, %di
                    mov $3, %cx
                    std
                    rep insb
                    cld
                    hlt
            first:  .byte 0, 0
            last:   .byte 0
            """)
    void backwardsStringInputFillsFromTheHighAddressDown(KvmVm vm) {
        AtomicLong next = new AtomicLong(1);
        vm.onPortIn(0x60, (port, size) -> next.getAndIncrement());

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).exits().hasSize(4);
        assertThat(run).memoryAt(run.registers().rdi() + 1, 3).containsExactly(3, 2, 1);
    }

    /** 3000 words from 0x1f00 on cross two page boundaries: KVM passes them in several exits. */
    @Test
    @KvmGuest(asm = """
                    mov $0x1f0, %dx
                    mov $0x1f00, %di
                    mov $3000, %cx
                    cld
                    rep insw
                    mov $0x80, %dx
                    mov $0x1f00, %si
                    mov $3000, %cx
                    rep outsw
                    hlt
            """)
    void longStringsAcrossPagesKeepEveryElementInOrder(KvmVm vm) {
        AtomicLong next = new AtomicLong();
        vm.onPortIn(0x1f0, (port, size) -> next.getAndIncrement());
        List<Long> written = new ArrayList<>();
        vm.onPortOut(0x80, (port, size, value) -> written.add(value));

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).exits().filteredOn(exit -> exit.reason() == ExitReason.IO_IN).hasSize(3000);
        assertThat(written).containsExactlyElementsOf(IntStream.range(0, 3000).mapToObj(i -> (long) i).toList());
        assertThat(run.memory().readShort(0x1f00 + 2 * 2999)).isEqualTo((short) 2999);
    }

    @Test
    @KvmGuest(asm = """
                    mov $0xf4, %dx
                    mov $codes, %si
                    mov $3, %cx
                    cld
                    rep outsb
                    hlt
            codes:  .byte 7, 8, 9
            """)
    void aStringOutputToTheDebugExitPortStopsOnItsFirstElement(GuestRun run) {
        assertThat(run).stoppedWith(ExitReason.DEBUG_EXIT).hasExitCode(7);
        assertThat(run).exits().containsExactly(VmExit.debugExit(7));
        assertThat(run).registers().as("one element sent").hasRcx(2).hasRsi(0x100e);   // codes is at 0x100d
    }

    @Test
    @KvmGuest(asm = """
                    mov $0x3f8, %dx
                    mov $text, %si
                    mov $2, %cx
                    cld
                    rep outsw
                    hlt
            text:   .ascii "okay"
            """)
    void aSixteenBitStringOutputToCom1SendsTheLowByteOfEachWord(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("oa");
        assertThat(run).exits().containsExactly(VmExit.ioOut(0x3f8, 2, 0x6b6f), VmExit.ioOut(0x3f8, 2, 0x7961),
                VmExit.hlt());
    }
}

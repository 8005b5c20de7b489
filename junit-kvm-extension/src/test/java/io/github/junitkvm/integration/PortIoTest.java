package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.VmExit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Port I/O end to end: COM1, string I/O, handlers, unserved ports, the debug-exit port. */
class PortIoTest {
    /** Polls COM1's line status register before sending each byte of "Hi\n". */
    private static final String POLLING_HELLO = "be 1b 10 ac 84 c0 74 12 88 c4 ba fd 03 ec a8 20 74 fb ba f8 03 88 e0 "
            + "ee eb e9 f4 48 69 0a 00";

    @Test
    @KvmGuest(code = POLLING_HELLO)
    void aPollingDriverSeesTheTransmitterEmpty(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("Hi\n");
        assertThat(run).exits().filteredOn(exit -> exit.reason() == ExitReason.IO_IN)
                .containsOnly(VmExit.ioIn(0x3fd, 1)).hasSize(3);
    }

    @Test
    @KvmGuest(code = POLLING_HELLO)
    void aHandlerTakesPrecedenceOverCom1(KvmVm vm) {
        AtomicInteger polls = new AtomicInteger();
        vm.onPortIn(0x3fd, (port, size) -> polls.incrementAndGet() % 3 == 0 ? 0x20 : 0x00);

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().hasSerialOutput("Hi\n");
        assertThat(polls).as("the guest polled until the handler said empty").hasValue(9);
    }

    @Test
    @KvmGuest(code = "be 0d 10 b9 05 00 ba f8 03 fc f3 6e f4 68 65 6c 6c 6f")  // rep outsb "hello" to COM1
    void stringOutputIsOneExitPerElement(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("hello");
        assertThat(run).exits().containsExactly(VmExit.ioOut(0x3f8, 'h'), VmExit.ioOut(0x3f8, 'e'),
                VmExit.ioOut(0x3f8, 'l'), VmExit.ioOut(0x3f8, 'l'), VmExit.ioOut(0x3f8, 'o'), VmExit.hlt());
        assertThat(run).registers().hasRcx(0);
    }

    @Test
    @KvmGuest(code = "e4 61 e6 80 e5 62 e7 82 ed f4")  // in al,0x61; out 0x80,al; in ax,0x62; out 0x82,ax; in ax,dx; hlt
    void unservedPortsReadAllOnesOfTheirSize(KvmVm vm) {
        vm.setRegisters(vm.registers().withRdx(0x70));
        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).exits().containsExactly(VmExit.ioIn(0x61, 1), VmExit.ioOut(0x80, 1, 0xff),
                VmExit.ioIn(0x62, 2), VmExit.ioOut(0x82, 2, 0xffff), VmExit.ioIn(0x70, 2), VmExit.hlt());
        assertThat(run).portOutput(0x82).containsExactly(0xff, 0xff);
    }

    @Test
    @KvmGuest(code = "b8 34 12 e7 80 b0 07 e6 80 f4")  // mov ax,0x1234; out 0x80,ax; mov al,7; out 0x80,al; hlt
    void handlersObserveWritesOfEverySize(KvmVm vm) {
        List<String> seen = new ArrayList<>();
        vm.onPortOut(0x80, (port, size, value) -> seen.add(size + ":" + Long.toHexString(value)));

        GuestRun run = vm.run();

        assertThat(seen).containsExactly("2:1234", "1:7");
        assertThat(run).portOutput(0x80).containsExactly(0x34, 0x12, 0x07);
    }

    @Test
    @KvmGuest(code = "b0 2a e6 f4 f4")  // mov al,42; out 0xf4,al; hlt
    void theDebugExitPortStopsTheRunWithItsCode(GuestRun run) {
        assertThat(run).hasExitCode(42).stoppedWith(ExitReason.DEBUG_EXIT);
        assertThat(run).exits().containsExactly(VmExit.debugExit(42));
        // Right after the OUT, on both backends: nothing after it ran.
        assertThat(run).registers().hasRip(0x1004);
    }

    @Test
    @KvmGuest(code = "b8 34 12 e7 f4 f4")  // mov ax,0x1234; out 0xf4,ax; hlt
    void aSixteenBitDebugExitKeepsTheWholeWord(GuestRun run) {
        assertThat(run).hasExitCode(0x1234).exits().containsExactly(VmExit.debugExit(0x1234));
    }

    @Test
    @KvmGuest(code = "66 b8 78 56 34 12 ba f4 00 66 ef f4")  // mov eax,0x12345678; mov dx,0xf4; out dx,eax; hlt
    void aThirtyTwoBitDebugExitKeepsTheWholeDoubleword(GuestRun run) {
        assertThat(run).hasExitCode(0x12345678).exits().containsExactly(VmExit.debugExit(0x12345678));
    }

    @Test
    @KvmGuest(code = "b0 2a e6 f4 f4")
    void aHandlerOnTheDebugExitPortReplacesIt(KvmVm vm) {
        vm.onPortOut(0xf4, (port, size, value) -> { });

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run.exitCode()).isEmpty();
        assertThat(run).exits().containsExactly(VmExit.ioOut(0xf4, 42), VmExit.hlt());
    }
}

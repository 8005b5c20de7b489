package io.github.junitkvm;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The assertions' verdicts, and what their failure messages show. */
class AssertionsTest {
    private final GuestRun run = mock(GuestRun.class);

    @BeforeEach
    void aRunThatPrintedFourAndHalted() {
        when(run.exits()).thenReturn(List.of(VmExit.ioOut(0x3f8, '4'), VmExit.ioOut(0x3f8, '\n'), VmExit.hlt()));
        when(run.lastExit()).thenReturn(VmExit.hlt());
        when(run.serialOutput()).thenReturn("4\n");
        when(run.portOutput(0x3f8)).thenReturn(new byte[] {'4', '\n'});
        when(run.registers()).thenReturn(GeneralRegisters.initial().withRax(10).withRip(0x100c));
        when(run.exitCode()).thenReturn(OptionalInt.empty());
        when(run.duration()).thenReturn(Duration.ofMillis(3));
        when(run.backend()).thenReturn(Backend.EMULATOR);
        when(run.mode()).thenReturn(CpuMode.REAL);
        Segment data = Segment.realMode(0, 0x3);
        when(run.specialRegisters()).thenReturn(new SpecialRegisters(Segment.realMode(0, 0xb), data, data, data,
                data, data, data, data, new DescriptorTable(0, 0xffff), new DescriptorTable(0, 0xffff),
                0x60000010L, 0, 0, 0, 0, 0, 0xfee00900L));
        when(run.memory()).thenReturn(new GuestMemory() {
            @Override
            public byte[] read(long address, int length) {
                byte[] bytes = new byte[length];
                for (int i = 0; i < length; i++) {
                    bytes[i] = (byte) (address + i == 0x100b ? 0xf4 : 0x90);  // nops, and hlt at 0x100b
                }
                return bytes;
            }

            @Override
            public void write(long address, byte... data) {
            }
        });
        when(run.trace()).thenReturn(Optional.empty());
    }

    @Test
    void passingAssertionsChain() {
        assertThat(run).haltedNormally().hasSerialOutput("4\n").stoppedWith(ExitReason.HLT);
        assertThat(run).exits().containsExactly(VmExit.ioOut(0x3f8, '4'), VmExit.ioOut(0x3f8, '\n'), VmExit.hlt());
        assertThat(run).portOutput(0x3f8).containsExactly('4', '\n');
        assertThat(run).registers().hasRax('\n').hasRip(0x100c).hasRflags(2);
        assertThat(run.registers()).hasRbx(0);
        assertThat("AssertJ's own overloads come with the same import").startsWith("AssertJ");
    }

    @Test
    void aWrongSerialOutputShowsExpectedActualAndTheRun() {
        assertThatThrownBy(() -> assertThat(run).hasSerialOutput("5\n"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Expecting serial output (COM1)")
                .hasMessageContaining("\"5\\n\"")
                .hasMessageContaining("\"4\\n\"")
                .hasMessageContaining("guest run on EMULATOR in REAL mode, 3 exits")
                .hasMessageContaining("#0 IO_OUT port=0x3f8 size=1 value=0x34 '4'")
                .hasMessageContaining("rax   =0x000000000000000a");
    }

    @Test
    void aFailureShowsTheCodeAtRipAndTheTrace() {
        when(run.trace()).thenReturn(Optional.of(new InstructionTrace(List.of(0x100aL, 0x100bL), 12)));

        assertThatThrownBy(() -> assertThat(run).hasExitCode(1))
                .hasMessageContaining("CPU at the stop: real mode, 16-bit code")
                .hasMessageContaining("     0x0000100b  f4                       hlt\n"
                        + "  => 0x0000100c  90                       nop")
                .hasMessageContaining("trace: the last 2 of 12 instructions executed");
        assertThatThrownBy(() -> assertThat(run).registers().hasRbx(1))
                .hasMessageContaining("trace: the last 2 of 12 instructions executed");
    }

    @Test
    void aPassingAssertionBuildsNoReport() {
        assertThat(run).exits().hasSize(3);
        assertThat(run).serialOutput().isEqualTo("4\n");
        assertThat(run).memoryAt(0x1000, 1).hasSize(1);

        verify(run, never()).specialRegisters();
    }

    @Test
    void aMemoryOrPortMismatchShowsBytesInHexAsTheRestOfTheReport() {
        assertThatThrownBy(() -> assertThat(run).memoryAt(0x100a, 2).containsExactly(0x90, 0x90))
                .hasMessageContaining("guest memory at 0x100a (2 bytes) of guest run on EMULATOR")
                .hasMessageContaining("Expecting actual:\n  [0x90, 0xF4]\nto contain exactly (and in same order):\n"
                        + "  [0x90, 0x90]")
                .hasMessageNotContaining("-112").hasMessageNotContaining("-12");
        assertThatThrownBy(() -> assertThat(run).portOutput(0x3f8).startsWith((byte) 0xb0))
                .hasMessageContaining("bytes written to port 0x3f8 in guest run on EMULATOR")
                .hasMessageContaining("[0x34, 0x0A]").hasMessageContaining("[0xB0]");
    }

    @Test
    void aWrongStopNamesBothReasons() {
        when(run.lastExit()).thenReturn(VmExit.timeout().withDetail("stopped at the time limit of 100 ms"));

        assertThatThrownBy(() -> assertThat(run).haltedNormally())
                .hasMessageContaining("Expecting the guest to stop with")
                .hasMessageContaining("HLT")
                .hasMessageContaining("but it stopped with")
                .hasMessageContaining("TIMEOUT (stopped at the time limit of 100 ms)");
    }

    @Test
    void aWrongRegisterShowsHexDecimalAndAllRegisters() {
        assertThatThrownBy(() -> assertThat(run).registers().hasRax(4))
                .hasMessageContaining("Expecting RAX to be")
                .hasMessageContaining("0x4 (4)")
                .hasMessageContaining("but was")
                .hasMessageContaining("0xa (10)")
                .hasMessageContaining("rip   =0x000000000000100c")
                .hasMessageContaining("guest run on EMULATOR");
    }

    @Test
    void navigationAssertionsCarryTheRunInTheirDescription() {
        assertThatThrownBy(() -> assertThat(run).exits().contains(VmExit.shutdown()))
                .hasMessageContaining("exits of guest run on EMULATOR")
                .hasMessageContaining("SHUTDOWN");
        assertThatThrownBy(() -> assertThat(run).serialOutput().isEmpty())
                .hasMessageContaining("serial output (COM1) of guest run");
    }

    @Test
    void theExitCodeComesFromTheDebugExitPort() {
        assertThatThrownBy(() -> assertThat(run).hasExitCode(0))
                .hasMessageContaining("leave through the debug-exit port with code")
                .hasMessageContaining("but it stopped with");

        when(run.lastExit()).thenReturn(VmExit.debugExit(7));
        when(run.exitCode()).thenReturn(OptionalInt.of(7));
        assertThat(run).hasExitCode(7).stoppedWith(ExitReason.DEBUG_EXIT);
    }

    @Test
    void theExitStatusDecodesTheValueAsQemusIsaDebugExitDoes() {
        when(run.exitStatus()).thenCallRealMethod();
        assertThat(run.exitStatus()).as("not stopped at the debug-exit port").isEmpty();
        assertThatThrownBy(() -> assertThat(run).hasExitStatus(1))
                .hasMessageContaining("the isa-debug-exit status\n  1 (a write of 0)\nbut it stopped with\n  HLT\n");

        when(run.lastExit()).thenReturn(VmExit.debugExit(0x26));
        when(run.exitCode()).thenReturn(OptionalInt.of(0x26));
        assertThat(run).hasExitStatus(77).hasExitCode(0x26);
        assertThatThrownBy(() -> assertThat(run).hasExitStatus(1))
                .hasMessageContaining("but it stopped with\n  DEBUG_EXIT code=0x26 (status 77)");
    }

    @Test
    void theGuestLibrarysReportsHaveAssertions() {
        when(run.guestLog()).thenReturn(List.of("crc of 9 bytes", "checked"));
        assertThatThrownBy(() -> assertThat(run).reportedDone())
                .hasMessageContaining("Expecting the guest to report KVM_DONE")
                .hasMessageContaining("but it stopped with\n  HLT")
                .hasMessageContaining("guest log:\n  crc of 9 bytes\n  checked\n");
        assertThat(run).guestLog().containsExactly("crc of 9 bytes", "checked");
        assertThatThrownBy(() -> assertThat(run).guestLog().isEmpty())
                .hasMessageContaining("guest log of guest run on EMULATOR");

        when(run.lastExit()).thenReturn(VmExit.guestDone());
        when(run.guestReportedDone()).thenReturn(true);
        assertThat(run).reportedDone().stoppedWith(ExitReason.GUEST_DONE);
    }

    @Test
    void theGuestsTextIsEscapedInTheMessagesOfTheLogAndSerialAssertions() {
        when(run.guestLog()).thenReturn(List.of("ok\u001b[2K\r[INFO] forged\u202e"));
        when(run.serialOutput()).thenReturn("4\r\n[INFO] BUILD SUCCESS\u001b[0m");

        assertThatThrownBy(() -> assertThat(run).guestLog().isEmpty())
                .hasMessageContaining("\"ok\\x1b[2K\\r[INFO] forged\\u202e\"")
                .message().doesNotContain("\u001b", "\r", "\u202e");
        assertThatThrownBy(() -> assertThat(run).serialOutput().isEmpty())
                .hasMessageContaining("\"4\\r\\n[INFO] BUILD SUCCESS\\x1b[0m\"")
                .message().doesNotContain("\u001b", "\r", "\n[INFO]");
    }

    @Test
    void vmExitsAreValuesWithReadableText() {
        assertThat(VmExit.guestAssertionFailed().withDetail("guest.c:3: KVM_ASSERT(x)"))
                .isEqualTo(VmExit.guestAssertionFailed())
                .hasToString("GUEST_ASSERTION_FAILED (guest.c:3: KVM_ASSERT(x))");
        assertThat(VmExit.guestDone().port()).isEqualTo(GuestLibrary.PORT);
        assertThat(VmExit.ioOut(0x3f8, '4')).hasToString("IO_OUT port=0x3f8 size=1 value=0x34 '4'");
        assertThat(VmExit.ioOut(0x3f8, '\n')).hasToString("IO_OUT port=0x3f8 size=1 value=0xa '\\n'");
        assertThat(VmExit.ioOut(0x80, 2, 0x12345)).isEqualTo(VmExit.ioOut(0x80, 2, 0x2345));
        assertThat(VmExit.ioIn(0x60, 1)).hasToString("IO_IN port=0x60 size=1");
        assertThat(VmExit.mmioRead(0xd0000000L, 4)).hasToString("MMIO_READ address=0xd0000000 size=4");
        assertThat(VmExit.shutdown().withDetail("triple fault")).isEqualTo(VmExit.shutdown())
                .hasToString("SHUTDOWN (triple fault)");
        assertThat(VmExit.hlt()).isNotEqualTo(VmExit.shutdown());
    }
}

package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.github.junitkvm.Backend;
import io.github.junitkvm.CpuMode;
import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.GuestMemory;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.disasm.Disassembler;
import io.github.junitkvm.disasm.Disassemblers;
import io.github.junitkvm.disasm.HexListing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a run's report says, on a run made up here: with Capstone, with hex only, traced or not. */
class RunSummaryTest {
    /* 0x1000: mov dx,0x3f8 ; mov al,'a' ; out dx,al ; inc al ; out dx,al ; nop ; hlt */
    private static final byte[] CODE = HexFormat.of().parseHex("baf803b061eefec0ee90f4");
    private static final Disassembler HEX = new HexListing("no Capstone in this test");

    private final GuestRun run = mock(GuestRun.class);
    private final byte[] ram = new byte[0x1000];

    @BeforeEach
    void aRealModeRunThatPrintedAbAndHalted() {
        System.arraycopy(CODE, 0, ram, 0, CODE.length);
        when(run.exits()).thenReturn(List.of(VmExit.ioOut(0x3f8, 'a'), VmExit.ioOut(0x3f8, 'b'), VmExit.hlt()));
        when(run.lastExit()).thenReturn(VmExit.hlt());
        when(run.serialOutput()).thenReturn("ab");
        when(run.exitCode()).thenReturn(OptionalInt.empty());
        when(run.duration()).thenReturn(Duration.ofMillis(2));
        when(run.backend()).thenReturn(Backend.KVM);
        when(run.mode()).thenReturn(CpuMode.REAL);
        when(run.registers()).thenReturn(GeneralRegisters.initial().withRax('b').withRdx(0x3f8).withRip(0x100b));
        Segment data = Segment.realMode(0, 3);
        when(run.specialRegisters()).thenReturn(new SpecialRegisters(Segment.realMode(0, 0xb), data, data, data,
                data, data, data, data, new DescriptorTable(0, 0xffff), new DescriptorTable(0, 0xffff), 0, 0, 0, 0,
                0, 0, 0xfee00900L));
        when(run.memory()).thenReturn(new GuestMemory() {
            @Override
            public byte[] read(long address, int length) {
                if (address < 0x1000 || address + length > 0x2000) {
                    throw new IllegalArgumentException("outside RAM");
                }
                byte[] bytes = new byte[length];
                System.arraycopy(ram, (int) (address - 0x1000), bytes, 0, length);
                return bytes;
            }

            @Override
            public void write(long address, byte... data) {
                throw new UnsupportedOperationException();
            }
        });
        when(run.trace()).thenReturn(Optional.empty());
    }

    @Test
    void showsTheModeAndTheCodeAroundRipDisassembled() {
        String report = RunSummary.of(run, Disassemblers.preferred());

        assertThat(report).contains("""
                CPU at the stop: real mode, 16-bit code
                code at RIP (linear 0x100b; Capstone 4.0):
                     0x00001006  fe c0                    inc al
                     0x00001008  ee                       out dx, al
                     0x00001009  90                       nop
                     0x0000100a  f4                       hlt
                  => 0x0000100b  00 00                    add byte ptr [bx + si], al
                """).doesNotContain("trace:");
    }

    @Test
    void showsTheLastTracedInstructionsDisassembled() {
        when(run.trace()).thenReturn(Optional.of(new InstructionTrace(List.of(0x1005L, 0x1006L, 0x1008L, 0x1009L,
                0x100aL), 7)));

        assertThat(RunSummary.of(run, Disassemblers.preferred())).endsWith("""
                trace: the last 5 of 7 instructions executed, oldest first (decoded as 16-bit code):
                     0x00001005  ee                       out dx, al
                     0x00001006  fe c0                    inc al
                     0x00001008  ee                       out dx, al
                     0x00001009  90                       nop
                     0x0000100a  f4                       hlt""");
    }

    @Test
    void showsAtMostTheLast32TracedInstructions() {
        List<Long> spin = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            spin.add(0x1009L);
        }
        when(run.trace()).thenReturn(Optional.of(new InstructionTrace(spin, 1000)));

        String report = RunSummary.of(run, Disassemblers.preferred());

        assertThat(report).contains("trace: the last 32 of 1000 instructions executed");
        String trace = report.substring(report.indexOf("trace:"));
        assertThat(trace.lines().filter(line -> line.equals("     0x00001009  90                       nop"))).hasSize(32);
    }

    @Test
    void anUntracedShutdownSuggestsATrace() {
        when(run.lastExit()).thenReturn(VmExit.shutdown());

        assertThat(RunSummary.of(run, HEX)).endsWith("(registers after a shutdown may be the vCPU's reset state,"
                + " as on AMD's KVM: @KvmGuest(trace = 16) shows the instructions that led to it)");
    }

    @Test
    void aTracedShutdownDecodesTheTraceAsTheGuestStarted() {
        when(run.lastExit()).thenReturn(VmExit.shutdown());
        when(run.mode()).thenReturn(CpuMode.PROTECTED);
        when(run.trace()).thenReturn(Optional.of(new InstructionTrace(List.of(0x1000L), 1)));

        assertThat(RunSummary.of(run, Disassemblers.preferred())).endsWith("""
                trace: the last 1 of 1 instructions executed, oldest first (decoded as 32-bit code as the guest started):
                     0x00001000  ba f8 03 b0 61           mov edx, 0x61b003f8""");
    }

    @Test
    void withoutCapstoneShowsHexAndSaysWhy() {
        when(run.trace()).thenReturn(Optional.of(new InstructionTrace(List.of(0x1009L, 0x100aL), 7)));

        assertThat(RunSummary.of(run, HEX)).endsWith("""
                CPU at the stop: real mode, 16-bit code
                code at RIP (linear 0x100b; hex only, not decoded: no Capstone in this test):
                     0x00001000  ba f8 03 b0 61 ee fe c0 ee 90 f4
                  => 0x0000100b  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                     0x0000101b  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                trace: the last 2 of 7 instructions executed, oldest first (decoded as 16-bit code):
                     0x00001009  90 f4 00 00 00 00 00 00 00 00 00 00 00 00 00
                     0x0000100a  f4 00 00 00 00 00 00 00 00 00 00 00 00 00 00""");
    }

    @Test
    void saysWhereCodeIsNotInRam() {
        when(run.registers()).thenReturn(GeneralRegisters.initial().withRip(0x8000));
        when(run.trace()).thenReturn(Optional.of(new InstructionTrace(List.of(0x7fffL), 1)));

        assertThat(RunSummary.of(run, Disassemblers.preferred())).endsWith("""
                code at RIP (linear 0x8000; Capstone 4.0):
                  => 0x00008000  not in guest RAM
                trace: the last 1 of 1 instructions executed, oldest first (decoded as 16-bit code):
                     0x00007fff  not in guest RAM""");
    }

    @Test
    void memoryThatIsGoneEndsTheReportWithTheReason() {
        when(run.memory()).thenReturn(new GuestMemory() {
            @Override
            public byte[] read(long address, int length) {
                throw new IllegalStateException("this run's memory is no longer as at its stop");
            }

            @Override
            public void write(long address, byte... data) {
            }
        });

        assertThat(RunSummary.of(run, HEX)).endsWith("""
                CPU at the stop: real mode, 16-bit code
                code at RIP (linear 0x100b; hex only, not decoded: no Capstone in this test):
                guest memory is no longer readable: this run's memory is no longer as at its stop""");
    }

    @Test
    void registersThatCouldNotBeReadEndTheReportWithTheReason() {
        when(run.registers()).thenThrow(new IllegalStateException("the emulator worker died"));

        assertThat(RunSummary.of(run, HEX)).endsWith("registers at the stop:\n  the emulator worker died");
    }

    @Test
    void showsTheLast16Exits() {
        List<VmExit> exits = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            exits.add(VmExit.ioOut(0x80, i));
        }
        exits.add(VmExit.hlt());
        when(run.exits()).thenReturn(exits);

        String report = RunSummary.of(run, HEX);

        assertThat(report).contains("last 16 exits:\n  #5 IO_OUT port=0x80 size=1 value=0x5").doesNotContain("#4 ")
                .contains("#20 HLT");
    }

    @Test
    void showsTheGuestLogEscapedAndHowManyLinesItDidNotKeep() {
        when(run.guestLog()).thenReturn(List.of("first", "second\r[INFO] forged\u001b[0m"));
        when(run.droppedGuestLogLines()).thenReturn(7L);

        String report = RunSummary.of(run, HEX);

        assertThat(report).contains("""
                guest log:
                  first
                  second\\r[INFO] forged\\x1b[0m
                  ... 7 later lines not recorded, past @KvmGuest(maxRecordedOutput) characters or \
                @KvmGuest(maxRecordedExits) lines
                registers at the stop:""");
    }

    @Test
    void saysSoWhenTheGuestLogKeptNoLineAtAll() {
        when(run.droppedGuestLogLines()).thenReturn(1L);

        assertThat(RunSummary.of(run, HEX)).contains("guest log:\n  ... 1 later lines not recorded");
    }
}

package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
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
import io.github.junitkvm.disasm.Disassemblers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A report's code part builds quickly whatever the registers and the memory hold: RIP and trace
 * addresses anywhere in the 64-bit space (a higher-half kernel address, non-canonical, at 0, at the
 * end of RAM), paging on with CR3 anywhere, memory that is RAM everywhere or whose page tables loop.
 * It reads a bounded number of bytes however large the RAM claims to be.
 */
class CodeReportTest {
    /** A few seconds: a report takes milliseconds; the old one never finished for a higher-half RIP. */
    private static final Duration HANG = Duration.ofSeconds(10);
    private static final long RAM_END = 0x20_0000;
    private static final long HIGHER_HALF = 0xffff_8000_4000_0000L;
    /** Where every memory has {@code jmp rax}. */
    private static final long JMP_RAX = 0x1000;
    private static final long[] HOSTILE_ADDRESSES = {
        0, 1, 15, RAM_END - 1, RAM_END, RAM_END + 1, 0xffff_fff0L, 0x1_0000_0000L, 0x0000_8000_0000_0000L,
        0x7fff_ffff_ffff_fff0L, Long.MAX_VALUE, Long.MIN_VALUE, HIGHER_HALF, 0xffff_ffff_ffff_fff0L, -1,
    };
    private static final Segment CODE_32 = new Segment(0x08, 0, 0xffffffff, 0xb, true, 0, true, true, false, true,
            false, false);
    private static final Segment CODE_64 = CODE_32.withDb(false).withL(true).withSelector(0x18);
    private static final long CR0_PE_PG = 0x8000_0011L;
    private static final long EFER_LME_LMA = 0x500;

    /** Every guest memory read the report makes: address and length. */
    private final List<long[]> reads = Collections.synchronizedList(new ArrayList<>());

    static Stream<Arguments> hostileStops() {
        List<Arguments> stops = new ArrayList<>();
        for (long rip : HOSTILE_ADDRESSES) {
            for (Cpu cpu : Cpu.values()) {
                for (Ram ram : Ram.values()) {
                    stops.add(Arguments.of(Named.of("RIP 0x" + Long.toHexString(rip), rip), cpu, ram));
                }
            }
        }
        return stops.stream();
    }

    @ParameterizedTest(name = "{0}, {1}, {2}")
    @MethodSource("hostileStops")
    void buildsQuicklyAndReadsLittleWhateverRipAndMemoryHold(long rip, Cpu cpu, Ram ram) {
        GuestRun run = run(rip, cpu, ram, List.of(HOSTILE_ADDRESSES[0]));

        String report = assertTimeoutPreemptively(HANG, () -> RunSummary.of(run, Disassemblers.preferred()));

        assertThat(report).contains("CPU at the stop: " + cpu.words, "code at RIP (linear 0x");
        assertReadLittle();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("memories")
    void aHigherHalfRipIsNotInRamAndTheTraceIsDecodedAroundIt(Ram ram) {
        List<Long> trace = new ArrayList<>();
        for (int i = 0; i < 2 * CodeReport.TRACE_SHOWN; i++) {
            trace.add(HOSTILE_ADDRESSES[i % HOSTILE_ADDRESSES.length]);
        }
        trace.add(JMP_RAX);
        trace.add(HIGHER_HALF);
        GuestRun run = run(HIGHER_HALF, Cpu.LONG, ram, trace);

        String report = assertTimeoutPreemptively(HANG, () -> RunSummary.of(run, Disassemblers.preferred()));

        assertThat(report).contains("""
                code at RIP (linear 0xffff800040000000, read as identity-mapped; Capstone 4.0):
                  => 0xffff800040000000  not in guest RAM
                trace: the last 32 of 66 instructions executed, oldest first (decoded as 64-bit code):
                """).endsWith("\n     0x00001000  ff e0                    jmp rax"
                        + "\n     0xffff800040000000  not in guest RAM");
        assertReadLittle();
    }

    static Stream<Ram> memories() {
        return Stream.of(Ram.LOW, Ram.EVERYWHERE, Ram.LOOPING_PAGE_TABLES);
    }

    /** At most two 64-byte blocks per place the report looks at: before RIP, at RIP, each traced instruction. */
    private void assertReadLittle() {
        assertThat(reads).hasSizeLessThanOrEqualTo(2 * (2 + CodeReport.TRACE_SHOWN))
                .allSatisfy(read -> assertThat(read[1]).isLessThanOrEqualTo(64));
    }

    private GuestRun run(long rip, Cpu cpu, Ram ram, List<Long> trace) {
        GuestRun run = mock(GuestRun.class);
        when(run.exits()).thenReturn(List.of(VmExit.shutdown()));
        when(run.lastExit()).thenReturn(VmExit.hlt());
        when(run.serialOutput()).thenReturn("");
        when(run.duration()).thenReturn(Duration.ofMillis(2));
        when(run.backend()).thenReturn(Backend.KVM);
        when(run.mode()).thenReturn(CpuMode.LONG);
        when(run.registers()).thenReturn(GeneralRegisters.initial().withRax(HIGHER_HALF).withRip(rip));
        Segment data = Segment.realMode(0, 3);
        when(run.specialRegisters()).thenReturn(new SpecialRegisters(cpu.cs, data, data, data, data, data, data,
                data, new DescriptorTable(0, 0), new DescriptorTable(0, 0), cpu.cr0, 0, RAM_END, 0x20, 0, cpu.efer,
                0xfee00900L));
        when(run.memory()).thenReturn(new CountingMemory(ram));
        when(run.trace()).thenReturn(Optional.of(new InstructionTrace(trace, trace.size())));
        return run;
    }

    /** What the vCPU runs at the stop. */
    enum Cpu {
        REAL(Segment.realMode(0xffff, 0xb), 0, 0, "real mode, 16-bit code"),
        PAGED(CODE_32, CR0_PE_PG, 0, "protected mode, 32-bit code, paging on"),
        LONG(CODE_64, CR0_PE_PG, EFER_LME_LMA, "long mode, 64-bit code"),
        COMPATIBILITY(CODE_32, CR0_PE_PG, EFER_LME_LMA, "compatibility mode, 32-bit code");

        final Segment cs;
        final long cr0;
        final long efer;
        final String words;

        Cpu(Segment cs, long cr0, long efer, String words) {
            this.cs = cs;
            this.cr0 = cr0;
            this.efer = efer;
            this.words = words;
        }
    }

    /** What guest memory holds. */
    enum Ram {
        /** 2 MiB from 0, zeros. */
        LOW,
        /** Every address below 2^63 reads, as zeros: no end of RAM stops a read. */
        EVERYWHERE,
        /** Every address below 2^63 reads, as page-table entries pointing at CR3, present and writable. */
        LOOPING_PAGE_TABLES
    }

    private final class CountingMemory implements GuestMemory {
        private final Ram ram;

        CountingMemory(Ram ram) {
            this.ram = ram;
        }

        @Override
        public byte[] read(long address, int length) {
            reads.add(new long[] {address, length});
            if (address < 0 || ram == Ram.LOW && (address >= RAM_END || length > RAM_END - address)) {
                throw new IllegalArgumentException("outside RAM");
            }
            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++) {
                long at = address + i;
                bytes[i] = at == JMP_RAX ? (byte) 0xff : at == JMP_RAX + 1 ? (byte) 0xe0 : switch (ram) {
                    case LOW, EVERYWHERE -> 0;
                    case LOOPING_PAGE_TABLES -> (byte) ((RAM_END | 3) >>> (8 * (at % 8)));
                };
            }
            return bytes;
        }

        @Override
        public void write(long address, byte... data) {
            throw new UnsupportedOperationException();
        }
    }
}

package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.Cpuid;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmGuestConfigurationException;
import io.github.junitkvm.Memory;
import io.github.junitkvm.Registers;
import io.github.junitkvm.backend.CpuidEntry;
import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.testsupport.AnnotationInstances;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GuestSpecReaderTest {
    private final GuestSpecReader reader = new GuestSpecReader(getClass().getClassLoader());

    @KvmGuest
    void defaults() {
    }

    @KvmGuest(memory = @Memory(guestAddress = 0x1000, size = 0x1000), code = "ba f8 03 00 f4",
              registers = @Registers(rax = 2, rbx = 3, r15 = 7, rflags = 0x200))
    void classic() {
    }

    @KvmGuest(memory = {@Memory(guestAddress = 0x10000, size = 0x1000), @Memory(size = 0x2000)}, code = "f4",
              registers = @Registers(rsp = 0x1800, rip = 0x1ffe), timeoutMillis = 250)
    void explicit() {
    }

    @KvmGuest(resource = "/guests/hello.bin")
    void flatBinary() {
    }

    @Test
    void defaultsToTwoMegabytesAtZeroWithEntryAtTheLoadAddress() {
        GuestSpec spec = read("defaults");

        assertThat(spec.ram()).containsExactly(new RamRegion(0, 2 * 1024 * 1024, false));
        assertThat(spec.mode()).isEqualTo(CpuMode.REAL);
        assertThat(spec.image()).singleElement().satisfies(segment -> {
            assertThat(segment.address()).isEqualTo(0x1000);
            assertThat(segment.bytes()).isEmpty();
        });
        assertThat(spec.registers().rip()).isEqualTo(0x1000);
        assertThat(spec.registers().rsp()).as("REAL mode stack below 64 KiB").isEqualTo(0xfff0);
        assertThat(spec.registers().rflags()).isEqualTo(0x2);
        assertThat(spec.timeout()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void readsCodeRegistersAndStackAtTheEndOfTheEntryRegion() {
        GuestSpec spec = read("classic");

        assertThat(code(spec)).containsExactly(0xba, 0xf8, 0x03, 0x00, 0xf4);
        assertThat(spec.registers().rax()).isEqualTo(2);
        assertThat(spec.registers().rbx()).isEqualTo(3);
        assertThat(spec.registers().r15()).isEqualTo(7);
        assertThat(spec.registers().rsp()).isEqualTo(0x2000);
        assertThat(spec.registers().rflags()).as("reserved bit kept").isEqualTo(0x202);
    }

    @Test
    void keepsExplicitStackEntryAndTimeoutAndSortsRegions() {
        GuestSpec spec = read("explicit");

        assertThat(spec.ram()).extracting(RamRegion::guestAddress).containsExactly(0L, 0x10000L);
        assertThat(spec.registers().rsp()).isEqualTo(0x1800);
        assertThat(spec.registers().rip()).isEqualTo(0x1ffe);
        assertThat(spec.timeout()).isEqualTo(Duration.ofMillis(250));
    }

    @KvmGuest(memory = {@Memory(size = 0x4000), @Memory(guestAddress = 0x8000, size = 0x1000),
                        @Memory(guestAddress = 0xf000, size = 0x1000, readOnly = true)},
              loadAddress = 0xf000, code = "f4")
    void realModeFirmwareInRom() {
    }

    @KvmGuest(mode = CpuMode.LONG, memory = {@Memory(size = 0x100000),
                                             @Memory(guestAddress = 0xfff00000L, size = 0x100000, readOnly = true)},
              loadAddress = 0xfff00000L, code = "f4")
    void longModeFirmwareInRom() {
    }

    @KvmGuest(memory = @Memory(guestAddress = 0xf000, size = 0x1000, readOnly = true), loadAddress = 0xf000, code = "f4")
    void onlyRom() {
    }

    @Test
    void keepsReadOnlyRegionsAndPutsTheDefaultStackInTheHighestWritableRegionBelowTheModesReach() {
        GuestSpec spec = read("realModeFirmwareInRom");

        assertThat(spec.ram()).containsExactly(new RamRegion(0, 0x4000, false), new RamRegion(0x8000, 0x1000, false),
                new RamRegion(0xf000, 0x1000, true));
        assertThat(spec.registers().rip()).isEqualTo(0xf000);
        assertThat(spec.registers().rsp()).isEqualTo(0x9000);
    }

    @Test
    void putsTheSystemTablesAndTheStackOutsideReadOnlyRegions() {
        GuestSpec spec = read("longModeFirmwareInRom");

        assertThat(SystemArea.find(spec.ram(), spec.mode(), spec.image())).hasValue(0x100000 - 0x7000);
        assertThat(spec.registers().rsp()).isEqualTo(0x100000 - 0x7000);
    }

    @Test
    void keepsTheStackInTheEntryRegionWhenNoRegionIsWritable() {
        assertThat(read("onlyRom").registers().rsp()).isEqualTo(0xfff0);
    }

    @Test
    void loadsAFlatBinaryResource() {
        assertThat(code(read("flatBinary"))).containsExactly(0xb0, 0x48, 0xe6, 0xe9, 0xf4);
    }

    @KvmGuest(memory = @Memory(guestAddress = 0x1800, size = 0x1000))
    void unaligned() {
    }

    @KvmGuest(memory = {@Memory(size = 0x1000), @Memory(size = 0x1234)})
    void oddSize() {
    }

    @KvmGuest(memory = @Memory(size = 0))
    void emptyRegion() {
    }

    @KvmGuest(memory = {@Memory(size = 0x4000), @Memory(guestAddress = 0x2000, size = 0x1000)})
    void overlapping() {
    }


    @KvmGuest(code = "ba f8 0x03 f4")
    void badHex() {
    }

    @KvmGuest(code = "f4\r\u001b[2J")
    void controlCharactersInHex() {
    }

    @KvmGuest(memory = @Memory(guestAddress = 0x1000, size = 0x1000), code = "90 90 90 90 f4", loadAddress = 0x1ffe)
    void doesNotFit() {
    }

    @KvmGuest(memory = @Memory(guestAddress = 0x1000, size = 0x1000), loadAddress = 0x8000)
    void loadAddressOutsideRam() {
    }

    @KvmGuest(code = "f4", resource = "/guests/hello.bin")
    void twoSources() {
    }

    @KvmGuest(resource = "/guests/missing.bin")
    void missingResource() {
    }

    @KvmGuest(resource = "/guests/tiny.elf")
    void elfResource() {
    }

    @KvmGuest(asm = "movx %ax,%bx")
    void badAssembly() {
    }

    @KvmGuest(mode = CpuMode.LONG, memory = @Memory(size = 0x2000), code = "f4")
    void longModeWithoutRoom() {
    }

    @KvmGuest(mode = CpuMode.PROTECTED, memory = {@Memory(size = 0x2000),
              @Memory(guestAddress = 0x100000000L, size = 0x1000)}, loadAddress = 0x100000000L)
    void protectedEntryAboveFourGib() {
    }

    @KvmGuest(mode = CpuMode.LONG, code = "f4")
    void longMode() {
    }

    @KvmGuest(mode = CpuMode.PROTECTED, memory = @Memory(size = 0x20000), loadAddress = 0x10000, code = "f4")
    void protectedModeAboveRealModeReach() {
    }

    @KvmGuest(mode = CpuMode.PAGED, memory = {@Memory(size = 0x8000), @Memory(guestAddress = 0x10000, size = 0x1000)},
              loadAddress = 0x10000, code = "f4")
    void pagedWithCodeInTheHighestRegion() {
    }

    @KvmGuest(memory = @Memory(size = 0x20000), loadAddress = 0x10000)
    void entryAboveRealModeReach() {
    }

    @KvmGuest(registers = @Registers(rip = 0x300000))
    void ripOutsideRam() {
    }

    @KvmGuest(timeoutMillis = 0)
    void noTime() {
    }

    @KvmGuest(maxRecordedExits = 0)
    void noExitsKept() {
    }

    @KvmGuest(maxRecordedOutput = -1)
    void noOutputKept() {
    }

    @KvmGuest(maxRecordedExits = 10, maxRecordedOutput = 20)
    void smallLimits() {
    }

    @Test
    void readsTheRecordingLimits() {
        assertThat(read("smallLimits").limits()).isEqualTo(new RecordingLimits(10, 20));
        assertThat(read("defaults").limits()).isEqualTo(RecordingLimits.DEFAULT);
    }

    @KvmGuest(trace = -1)
    void negativeTrace() {
    }

    @KvmGuest(trace = 100_001)
    void hugeTrace() {
    }

    @KvmGuest(trace = 100_000)
    void longestTrace() {
    }

    @KvmGuest(vcpus = 0)
    void noVcpu() {
    }

    @KvmGuest(vcpus = 17)
    void tooManyVcpus() {
    }

    @KvmGuest(vcpus = 2)
    void applicationProcessorsWithoutEntry() {
    }

    @KvmGuest(apEntry = 0x2000)
    void apEntryWithoutApplicationProcessors() {
    }

    @KvmGuest(vcpus = 2, apEntry = -2)
    void negativeApEntry() {
    }

    @KvmGuest(vcpus = 2, apEntry = 0x10000, memory = @Memory(size = 0x20000))
    void realModeApEntryTooHigh() {
    }

    @KvmGuest(vcpus = 2, apEntry = 0x2000, trace = 10)
    void tracedVcpus() {
    }

    @KvmGuest(vcpus = 16, apEntry = 0x2000)
    void sixteenVcpus() {
    }

    @Test
    void readsTheVcpus() {
        assertThat(read("defaults").vcpus()).isEqualTo(VcpuSpec.ONE);
        assertThat(read("sixteenVcpus").vcpus()).isEqualTo(new VcpuSpec(16, 0x2000));
        assertThat(read("applicationProcessorsWithoutEntry").vcpus()).as("APs waiting for a start-up")
                .isEqualTo(new VcpuSpec(2, -1));
    }

    @Test
    void traceIsOffUnlessAsked() {
        assertThat(read("defaults").trace()).isZero();
        assertThat(read("longestTrace").trace()).isEqualTo(100_000);
    }

    @Test
    void longModeStackStartsBelowTheTablesAtTheTopOfRam() {
        GuestSpec spec = read("longMode");

        assertThat(spec.mode()).isEqualTo(CpuMode.LONG);
        assertThat(SystemArea.find(spec.ram(), spec.mode(), spec.image())).hasValue(0x1f9000);
        assertThat(spec.registers().rsp()).isEqualTo(0x1f9000);
    }

    @Test
    void protectedModeEntryMayBeAboveSixtyFourKib() {
        GuestSpec spec = read("protectedModeAboveRealModeReach");

        assertThat(spec.registers().rip()).isEqualTo(0x10000);
        assertThat(spec.registers().rsp()).as("below the GDT page at the top").isEqualTo(0x1f000);
    }

    @Test
    void stackIsAtTheEndOfTheEntryRegionWhenTheTablesAreElsewhere() {
        GuestSpec spec = read("pagedWithCodeInTheHighestRegion");

        assertThat(SystemArea.find(spec.ram(), spec.mode(), spec.image())).hasValue(0x2000);
        assertThat(spec.registers().rsp()).isEqualTo(0x11000);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unaligned             | @KvmGuest(memory[0].guestAddress = 0x1800): not a page-aligned (4096) address
            oddSize               | @KvmGuest(memory[1].size = 0x1234): not a positive multiple of 4096
            emptyRegion           | @KvmGuest(memory[0].size = 0x0): not a positive multiple of 4096
            overlapping           | @KvmGuest(memory[1]): [0x2000, 0x3000) overlaps memory[0] [0x0, 0x4000)
            badHex                | @KvmGuest(code = "ba f8 0x03 f4"): not valid hex: 'x' at position 7 is not a hex digit
            controlCharactersInHex | @KvmGuest(code = "f4\\r\\x1b[2J"): not valid hex: U+001B at position 3 is not a hex digit
            doesNotFit            | @KvmGuest(code): 5 bytes at loadAddress 0x1ffe do not fit in RAM region [0x1000, 0x2000)
            loadAddressOutsideRam | @KvmGuest(loadAddress = 0x8000): outside guest RAM [0x1000, 0x2000)
            twoSources            | @KvmGuest(code, resource): set together: set at most one of code, resource and asm
            missingResource       | @KvmGuest(resource = "/guests/missing.bin"): no such classpath resource: put the file at src/test/resources/guests/missing.bin
            elfResource           | @KvmGuest(resource = "/guests/tiny.elf"): truncated ELF file: 8 bytes end before the ELF32 header (52 bytes)
            badAssembly           | @KvmGuest(asm): line 1: no such instruction
            longModeWithoutRoom   | @KvmGuest(mode = LONG): no room for the page tables and the GDT (28672 bytes)
            protectedEntryAboveFourGib | @KvmGuest(loadAddress = 0x100000000): the entry point is not below 4 GiB
            entryAboveRealModeReach | @KvmGuest(loadAddress = 0x10000): the entry point is not below 0x10000
            ripOutsideRam         | @KvmGuest(registers.rip = 0x300000): the entry point is outside guest RAM [0x0, 0x200000)
            noTime                | @KvmGuest(timeoutMillis = 0): not positive
            noExitsKept           | @KvmGuest(maxRecordedExits = 0): not positive
            noOutputKept          | @KvmGuest(maxRecordedOutput = -1): not positive
            negativeTrace         | @KvmGuest(trace = -1): not between 0 (no trace) and 100000 instructions
            hugeTrace             | @KvmGuest(trace = 100001): not between 0 (no trace) and 100000 instructions
            pastPhysicalAddresses | @KvmGuest(memory[1]): 0xffffffffff000 with size 0x2000 runs past the end of the guest physical address space (2^52
            beyondAnyHost         | @KvmGuest(memory[0]): it brings the guest's RAM to 2147483648 MiB, more than the
            reservedFlag          | @KvmGuest(registers.rflags = 0x8000000000000022): reserved bits 0x8000000000000020 set: RFLAGS bits 3, 5, 15 and 22 to 63 are 0
            virtual8086           | @KvmGuest(registers.rflags = 0x20002): the VM flag (bit 17) set: no guest starts in virtual-8086 mode
            noVcpu                | @KvmGuest(vcpus = 0): not between 1 and 16
            tooManyVcpus          | @KvmGuest(vcpus = 17): not between 1 and 16
            apEntryWithoutApplicationProcessors | @KvmGuest(apEntry = 0x2000): the guest has no application processor to start there: set vcpus to 2 or more
            negativeApEntry       | @KvmGuest(apEntry = 0xfffffffffffffffe): the entry point is outside guest RAM [0x0, 0x200000)
            realModeApEntryTooHigh | @KvmGuest(apEntry = 0x10000): the entry point is not below 0x10000: REAL mode starts with CS = 0
            tracedVcpus           | @KvmGuest(trace = 10): a guest of 2 vCPUs is not traced; trace a guest of one
            """)
    void namesTheAttributeAndValueAtFault(String method, String message) {
        assertThatThrownBy(() -> read(method))
                .isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessageStartingWith(message);
    }

    @KvmGuest(memory = {@Memory(size = 0x200000), @Memory(guestAddress = (1L << 52) - 0x1000, size = 0x2000)})
    void pastPhysicalAddresses() {
    }

    @KvmGuest(memory = @Memory(size = 1L << 51))
    void beyondAnyHost() {
    }

    @KvmGuest(code = "f4", registers = @Registers(rflags = 0x8000000000000022L))
    void reservedFlag() {
    }

    @KvmGuest(code = "f4", mode = CpuMode.PROTECTED, registers = @Registers(rflags = 0x20002))
    void virtual8086() {
    }

    @Test
    void ramMayEndAtTheEndOfThePhysicalAddressSpace() {
        GuestSpec spec = reader.read(guest(new Memory[] {region(0, 0x200000), region((1L << 52) - 0x1000, 0x1000)}));

        assertThat(spec.ram()).extracting(RamRegion::end).containsExactly(0x200000L, 1L << 52);
    }

    @Test
    void regionsThatFitTheHostOneByOneButNotTogetherAreRefusedAtTheOneTooMany() {
        long half = (HostMemory.total() / 2 + 0x1000) & -0x1000L;
        Memory[] memory = {region(0, half), region(1L << 48, half)};

        assertThatThrownBy(() -> reader.read(guest(memory)))
                .isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessageStartingWith("@KvmGuest(memory[1]): it brings the guest's RAM to ")
                .hasMessageEndingWith(String.format(" more than the %d MiB of physical memory of this host",
                        HostMemory.total() >> 20));
    }

    @Test
    void aGuestHasAtMostAsManyRegionsAsKvmHasMemorySlots() {
        Memory[] most = new Memory[GuestSpecReader.MAX_REGIONS];
        for (int i = 0; i < most.length; i++) {
            most[i] = region(0x1000 + i * 0x2000L, 0x1000);
        }
        Memory[] tooMany = Arrays.copyOf(most, most.length + 1);
        tooMany[most.length] = region(0x10000000, 0x1000);

        assertThat(reader.read(guest(most)).ram()).hasSize(509);
        assertThatThrownBy(() -> reader.read(guest(tooMany)))
                .isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessage("@KvmGuest(memory): 510 regions, more than the 509 a guest may have");
    }

    @KvmGuest(code = "f4", cpuid = {@Cpuid(leaf = 7, subleaf = 1, eax = 5), @Cpuid(leaf = 0x80000001, edx = 1)})
    void cpuid() {
    }

    @KvmGuest(code = "f4", cpuid = {@Cpuid(leaf = 7, subleaf = 1), @Cpuid(leaf = 7)})
    void cpuidLeafTwice() {
    }

    @Test
    void readsTheCpuidLeavesAndRefusesOneSetTwice() {
        assertThat(read("cpuid").cpuid()).containsExactly(new CpuidEntry(7, 1, true, 5, 0, 0, 0),
                new CpuidEntry(0x80000001, 0, false, 0, 0, 0, 1));
        assertThatThrownBy(() -> read("cpuidLeafTwice"))
                .isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessage("@KvmGuest(cpuid = @Cpuid(leaf = 0x7)): the leaf is set twice, by this and by"
                        + " CPUID 0x7.0x1: eax=0x0 ebx=0x0 ecx=0x0 edx=0x0");
    }

    private static KvmGuest guest(Memory[] memory) {
        return AnnotationInstances.of(KvmGuest.class, Map.of("memory", memory, "code", "f4"));
    }

    private static Memory region(long address, long size) {
        return AnnotationInstances.of(Memory.class, Map.of("guestAddress", address, "size", size));
    }

    private static byte[] code(GuestSpec spec) {
        assertThat(spec.image()).hasSize(1);
        return spec.image().get(0).bytes();
    }

    private GuestSpec read(String method) {
        try {
            return reader.read(getClass().getDeclaredMethod(method).getAnnotation(KvmGuest.class));
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }
}

package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmGuestConfigurationException;
import io.github.junitkvm.Memory;
import io.github.junitkvm.Registers;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** How the reader turns ELF resources and {@code asm} into the guest's image and entry point. */
class GuestSpecReaderImageTest {
    private static final byte[] CODE = {(byte) 0xf4};
    private static final Map<String, byte[]> FILES = Map.of(
            "two.elf", ElfBuilder.elf32().entry(0x3000).load(0x2000, new byte[] {1, 2}, 0x100)
                    .load(0x3000, CODE, 1).build(),
            "high.elf", ElfBuilder.elf32().entry(0x2000).load(0x2000, CODE, 1)
                    .load(0x400000, new byte[0], 0x1000).build(),
            "across.elf", ElfBuilder.elf64().entry(0x1000).load(0x1800, CODE, 0x1000).build(),
            "farEntry.elf", ElfBuilder.elf32().entry(0x10000).load(0x10000, CODE, 1).build(),
            "arm.elf", ElfBuilder.elf32().machine(40).load(0x1000, CODE, 1).build(),
            "bss.elf", ElfBuilder.elf64().entry(0x1000).load(0x1000, CODE, 0x7fff_f000L).build(),
            "farTable.elf", ElfBuilder.elf64().entry(0x1000).load(0x1000, CODE, 1)
                    .programHeaderOffset(0x7fff_ffff_ffff_ff00L).build(),
            "elf64.elf", ElfBuilder.elf64().entry(0x1000).load(0x1000, CODE, 1).build(),
            "wholeAddressSpace.elf", ElfBuilder.elf64().loadClaiming(0, 0, 0, -1L).build());
    /** A resource with no end, whose reads are counted. */
    private static final String ENDLESS = "endless.bin";

    private final AtomicInteger assemblies = new AtomicInteger();
    private final AtomicLong assemblyLimit = new AtomicLong();
    private final AtomicLong endlessBytesRead = new AtomicLong();
    private final GuestSpecReader reader = new GuestSpecReader(new InMemory(),
            new GuestAssembler((source, mode, loadAddress, limit) -> {
                assemblies.incrementAndGet();
                assemblyLimit.set(limit);
                return new Binutils().assemble(source, mode, loadAddress, limit);
            }, GuestAssembler.DEFAULT_CAPACITY));

    @KvmGuest(resource = "two.elf", loadAddress = 0x7777777)
    void twoSegments() {
    }

    @KvmGuest(resource = "two.elf", registers = @Registers(rip = 0x2000))
    void explicitRip() {
    }

    @KvmGuest(resource = "high.elf")
    void segmentOutsideRam() {
    }

    @KvmGuest(memory = {@Memory(size = 0x2000), @Memory(guestAddress = 0x2000, size = 0x1000)}, resource = "across.elf",
            mode = CpuMode.LONG)
    void segmentAcrossRegions() {
    }

    @KvmGuest(resource = "farEntry.elf")
    void entryBeyondRealModeReach() {
    }

    @KvmGuest(resource = "arm.elf")
    void foreign() {
    }

    @KvmGuest(asm = "hlt", loadAddress = 0x2000)
    void assembly() {
    }

    @KvmGuest(memory = @Memory(guestAddress = 0x1000, size = 0x1000), asm = ".skip 8", loadAddress = 0x1ffc)
    void assemblyDoesNotFit() {
    }

    @KvmGuest(memory = @Memory(size = 0x2000), resource = "bss.elf", mode = CpuMode.LONG)
    void bssBeyondRam() {
    }

    @KvmGuest(resource = "wholeAddressSpace.elf", mode = CpuMode.LONG)
    void segmentOfTheWholeAddressSpace() {
    }

    @KvmGuest(resource = "farTable.elf", mode = CpuMode.LONG)
    void programHeadersBeyondTheFile() {
    }

    @KvmGuest(resource = "two.elf", mode = CpuMode.LONG)
    void elf32InLongMode() {
    }

    @KvmGuest(resource = "elf64.elf", mode = CpuMode.PROTECTED)
    void elf64InProtectedMode() {
    }

    @KvmGuest(memory = @Memory(size = 0x4000), resource = ENDLESS, loadAddress = 0x3ff0)
    void endlessFlatBinary() {
    }

    @KvmGuest(memory = @Memory(guestAddress = 0x1000, size = 0x3000), asm = "hlt", loadAddress = 0x1800)
    void assemblyInPartOfARegion() {
    }

    @Test
    void loadsElfSegmentsWhereTheySayAndStartsAtTheirEntry() {
        GuestSpec spec = read("twoSegments");

        assertThat(spec.image()).extracting(ImageSegment::address).containsExactly(0x2000L, 0x3000L);
        assertThat(spec.image().get(0).bytes()).containsExactly(1, 2);
        assertThat(spec.image().get(0).size()).isEqualTo(0x100);
        assertThat(spec.registers().rip()).as("e_entry; loadAddress plays no part").isEqualTo(0x3000);
    }

    @Test
    void keepsAnExplicitRip() {
        assertThat(read("explicitRip").registers().rip()).isEqualTo(0x2000);
    }

    @Test
    void namesTheResourceAndTheSegmentOutsideRam() {
        assertThatThrownBy(() -> read("segmentOutsideRam")).isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessage("@KvmGuest(resource = \"high.elf\"): segment 1 at 0x400000 (0x1000 bytes) "
                        + "is outside guest RAM [0x0, 0x200000)");
    }

    @Test
    void wantsEachSegmentInOneRegion() {
        assertThatThrownBy(() -> read("segmentAcrossRegions"))
                .hasMessage("@KvmGuest(resource = \"across.elf\"): segment 0 at 0x1800 (0x1000 bytes) "
                        + "is outside guest RAM [0x0, 0x2000), [0x2000, 0x3000)");
    }

    @Test
    void keepsTheRealModeEntryBelow64KiB() {
        assertThatThrownBy(() -> read("entryBeyondRealModeReach"))
                .hasMessageStartingWith("@KvmGuest(resource = \"farEntry.elf\" (ELF entry 0x10000)): "
                        + "the entry point is not below 0x10000");
    }

    @Test
    void namesTheResourceOfAForeignElf() {
        assertThatThrownBy(() -> read("foreign"))
                .hasMessage("@KvmGuest(resource = \"arm.elf\"): ELF machine 40 is not x86 (EM_386 = 3 or EM_X86_64 = 62)");
    }

    @Test
    void assemblesAtTheLoadAddressForTheModeOnce() {
        GuestSpec first = read("assembly");
        GuestSpec again = read("assembly");

        assertThat(first.mode()).isEqualTo(CpuMode.REAL);
        assertThat(first.image()).singleElement().satisfies(segment -> {
            assertThat(segment.address()).isEqualTo(0x2000);
            assertThat(segment.bytes()).containsExactly(0xf4);
        });
        assertThat(first.registers().rip()).isEqualTo(0x2000);
        assertThat(again.image().get(0).bytes()).containsExactly(0xf4);
        assertThat(assemblies).as("as and ld run once for the same content").hasValue(1);
    }

    @Test
    void checksThatTheAssembledCodeFits() {
        assertThatThrownBy(() -> read("assemblyDoesNotFit")).hasMessage(
                "@KvmGuest(asm): the code is larger than the 4 bytes of RAM from loadAddress 0x1ffc to the end of its region");
    }

    @Test
    void boundsTheAssemblyByTheRamFromTheLoadAddressToTheEndOfItsRegion() {
        read("assemblyInPartOfARegion");

        assertThat(assemblyLimit).hasValue(0x2800);
    }

    @Test
    void refusesASegmentWhoseBssDoesNotFitInRamAllocatingNothingForIt() {
        long allocated = allocatedBytes();

        assertThatThrownBy(() -> read("bssBeyondRam")).isInstanceOf(KvmGuestConfigurationException.class)
                .hasMessage("@KvmGuest(resource = \"bss.elf\"): segment 0 at 0x1000 (0x7ffff000 bytes) "
                        + "is outside guest RAM [0x0, 0x2000)");
        assertThat(allocatedBytes() - allocated).as("bytes allocated on the heap").isLessThan(16 << 20);
    }

    @Test
    void takesSegmentSizesUnsigned() {
        assertThatThrownBy(() -> read("segmentOfTheWholeAddressSpace")).hasMessage("@KvmGuest(resource = "
                + "\"wholeAddressSpace.elf\"): segment 0 at 0x0 (0xffffffffffffffff bytes) is outside guest RAM "
                + "[0x0, 0x200000)");
    }

    @Test
    void namesTheResourceOfProgramHeadersBeyondTheFile() {
        assertThatThrownBy(() -> read("programHeadersBeyondTheFile"))
                .hasMessage("@KvmGuest(resource = \"farTable.elf\"): truncated ELF file: %d bytes end before "
                        + "1 program headers at offset 0x7fffffffffffff00", FILES.get("farTable.elf").length);
    }

    @Test
    void refusesAnExecutableWhoseCodeCannotRunInTheMode() {
        assertThatThrownBy(() -> read("elf32InLongMode"))
                .hasMessageStartingWith("@KvmGuest(resource = \"two.elf\", mode = LONG): an ELF32 i386 executable");
        assertThatThrownBy(() -> read("elf64InProtectedMode")).hasMessageStartingWith(
                "@KvmGuest(resource = \"elf64.elf\", mode = PROTECTED): an ELF64 x86-64 executable");
    }

    @Test
    void readsAFlatBinaryNoFurtherThanTheRamItGoesInto() {
        assertThatThrownBy(() -> read("endlessFlatBinary")).hasMessage("@KvmGuest(resource = \"endless.bin\"): "
                + "the flat binary is larger than the 16 bytes from loadAddress 0x3ff0 to the end of RAM region "
                + "[0x0, 0x4000)");
        assertThat(endlessBytesRead).as("the magic, then one byte past the limit").hasValueLessThanOrEqualTo(4 + 17);
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private GuestSpec read(String method) {
        try {
            return reader.read(getClass().getDeclaredMethod(method).getAnnotation(KvmGuest.class));
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }

    /** Serves {@link #FILES} as classpath resources, and {@link #ENDLESS}. */
    private final class InMemory extends ClassLoader {
        @Override
        public InputStream getResourceAsStream(String name) {
            if (name.equals(ENDLESS)) {
                return new InputStream() {
                    @Override
                    public int read() {
                        endlessBytesRead.incrementAndGet();
                        return 0x90;
                    }
                };
            }
            byte[] file = FILES.get(name);
            return file == null ? null : new ByteArrayInputStream(file);
        }
    }
}

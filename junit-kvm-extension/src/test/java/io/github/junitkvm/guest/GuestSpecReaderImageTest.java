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
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
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
            "arm.elf", ElfBuilder.elf32().machine(40).load(0x1000, CODE, 1).build());

    private final AtomicInteger assemblies = new AtomicInteger();
    private final GuestSpecReader reader = new GuestSpecReader(new InMemory(),
            new GuestAssembler((source, mode, loadAddress) -> {
                assemblies.incrementAndGet();
                return new Binutils().assemble(source, mode, loadAddress);
            }));

    @KvmGuest(resource = "two.elf", loadAddress = 0x7777777)
    void twoSegments() {
    }

    @KvmGuest(resource = "two.elf", registers = @Registers(rip = 0x2000))
    void explicitRip() {
    }

    @KvmGuest(resource = "high.elf")
    void segmentOutsideRam() {
    }

    @KvmGuest(memory = {@Memory(size = 0x2000), @Memory(guestAddress = 0x2000, size = 0x1000)}, resource = "across.elf")
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

    @Test
    void loadsElfSegmentsWhereTheySayAndStartsAtTheirEntry() {
        GuestSpec spec = read("twoSegments");

        assertThat(spec.image()).extracting(ImageSegment::address).containsExactly(0x2000L, 0x3000L);
        assertThat(spec.image().get(0).bytes()).hasSize(0x100).startsWith(1, 2);
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
        assertThatThrownBy(() -> read("assemblyDoesNotFit"))
                .hasMessage("@KvmGuest(asm): 8 bytes at loadAddress 0x1ffc do not fit in RAM region [0x1000, 0x2000)");
    }

    private GuestSpec read(String method) {
        try {
            return reader.read(getClass().getDeclaredMethod(method).getAnnotation(KvmGuest.class));
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
    }

    /** Serves {@link #FILES} as classpath resources. */
    private static final class InMemory extends ClassLoader {
        @Override
        public InputStream getResourceAsStream(String name) {
            byte[] file = FILES.get(name);
            return file == null ? null : new ByteArrayInputStream(file);
        }
    }
}

package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.CpuMode;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ElfImageTest {
    private static final byte[] CODE = {(byte) 0xb0, 0x41, (byte) 0xe6, (byte) 0xe9, (byte) 0xf4};
    private static final byte[] DATA = {1, 2, 3};

    @ParameterizedTest(name = "ELF64 {0}")
    @ValueSource(booleans = {false, true})
    void loadsEachSegmentAtItsPhysicalAddressWithBssZeroFilled(boolean is64) throws IOException {
        byte[] file = (is64 ? ElfBuilder.elf64() : ElfBuilder.elf32()).entry(0x2002)
                .load(0x2000, CODE, CODE.length)
                .segment(ElfBuilder.PT_NOTE, 0x9000, new byte[] {9, 9}, 2)
                .load(0x5000, DATA, 0x10)
                .build();

        ElfImage elf = read(file);
        List<ImageSegment> image = elf.load(file(file));

        assertThat(elf.entry()).isEqualTo(0x2002);
        assertThat(elf.segments()).extracting(ElfImage.Loadable::index).containsExactly(0, 2);
        ImageSegment code = image.get(0);
        assertThat(code.address()).as("p_paddr, not p_vaddr").isEqualTo(0x2000);
        assertThat(code.bytes()).isEqualTo(CODE);
        assertThat(code.size()).isEqualTo(CODE.length);
        ImageSegment data = image.get(1);
        assertThat(data.address()).isEqualTo(0x5000);
        assertThat(data.bytes()).as("the file's bytes; the bss is zero RAM, not zero bytes").isEqualTo(DATA);
        assertThat(data.size()).isEqualTo(0x10);
    }

    @Test
    void recognisesTheMagic() throws IOException {
        assertThat(ElfImage.hasMagic(file(ElfBuilder.elf32().build()))).isTrue();
        assertThat(ElfImage.hasMagic(file(new byte[] {0x7f, 'E', 'L'}))).isFalse();
        assertThat(ElfImage.hasMagic(file(CODE))).isFalse();
    }

    @Test
    void rejectsATruncatedHeader() throws IOException {
        byte[] file = Arrays.copyOf(ElfBuilder.elf64().load(0x1000, CODE, CODE.length).build(), 40);

        assertThatThrownBy(() -> read(file)).isInstanceOf(InvalidImageException.class)
                .hasMessage("truncated ELF file: 40 bytes end before the ELF64 header (64 bytes)");
    }

    @Test
    void rejectsTruncatedProgramHeaders() {
        byte[] file = Arrays.copyOf(ElfBuilder.elf32().load(0x1000, CODE, CODE.length).build(), 60);

        assertThatThrownBy(() -> read(file))
                .hasMessage("truncated ELF file: 60 bytes end before 1 program headers at offset 0x34");
    }

    @Test
    void rejectsATruncatedSegment() {
        byte[] whole = ElfBuilder.elf32().load(0x1000, CODE, CODE.length).build();
        byte[] file = Arrays.copyOf(whole, whole.length - 1);

        assertThatThrownBy(() -> read(file).load(file(file)))
                .hasMessage("truncated ELF file: 88 bytes end before segment 0 (0x5 bytes at offset 0x54)");
    }

    @Test
    void rejectsAForeignMachine() {
        byte[] arm = ElfBuilder.elf32().machine(40).load(0x1000, CODE, CODE.length).build();

        assertThatThrownBy(() -> read(arm))
                .hasMessage("ELF machine 40 is not x86 (EM_386 = 3 or EM_X86_64 = 62)");
    }

    @Test
    void rejectsWhatIsNotAnExecutable() {
        byte[] object = ElfBuilder.elf64().type(1).load(0x1000, CODE, CODE.length).build();
        byte[] shared = ElfBuilder.elf64().type(3).load(0x1000, CODE, CODE.length).build();

        assertThatThrownBy(() -> read(object))
                .hasMessage("ELF type 1 is not an executable (ET_EXEC = 2): a relocatable object file, link it first");
        assertThatThrownBy(() -> read(shared)).hasMessage("ELF type 3 is not an executable (ET_EXEC = 2)");
    }

    @Test
    void rejectsBigEndianAndUnknownClasses() {
        byte[] bigEndian = ElfBuilder.elf32().load(0x1000, CODE, CODE.length).build();
        bigEndian[5] = 2;
        byte[] unknownClass = ElfBuilder.elf32().load(0x1000, CODE, CODE.length).build();
        unknownClass[4] = 3;

        assertThatThrownBy(() -> read(bigEndian)).hasMessageStartingWith("not a little-endian ELF file");
        assertThatThrownBy(() -> read(unknownClass))
                .hasMessage("ELF class 3 is neither ELF32 (1) nor ELF64 (2)");
    }

    @Test
    void rejectsAnImageWithNothingToLoad() {
        byte[] file = ElfBuilder.elf32().segment(ElfBuilder.PT_NOTE, 0x1000, DATA, DATA.length).build();

        assertThatThrownBy(() -> read(file)).hasMessage("no loadable (PT_LOAD) segment");
    }

    @Test
    void rejectsOverlappingSegments() {
        byte[] file = ElfBuilder.elf32().load(0x3000, CODE, 0x1000).load(0x2000, DATA, 0x1001).build();

        assertThatThrownBy(() -> read(file))
                .hasMessage("segment 0 [0x3000, 0x4000) overlaps segment 1 [0x2000, 0x3001)");
    }

    @Test
    void rejectsMoreFileBytesThanMemoryBytes() {
        byte[] file = ElfBuilder.elf32().load(0x1000, CODE, 2).build();

        assertThatThrownBy(() -> read(file))
                .hasMessage("segment 0 has more bytes in the file (0x5) than in memory (0x2)");
    }

    @ParameterizedTest(name = "e_phoff 0x{0}")
    @ValueSource(strings = {"7fffffffffffff00", "ffffffffffffff00", "7fffffffffffffff"})
    void aProgramHeaderTableBeyondAnyFileIsTruncation(String offset) {
        byte[] file = ElfBuilder.elf64().load(0x1000, CODE, CODE.length)
                .programHeaderOffset(Long.parseUnsignedLong(offset, 16)).build();

        assertThatThrownBy(() -> read(file)).isInstanceOf(InvalidImageException.class)
                .hasMessage("truncated ELF file: %d bytes end before 1 program headers at offset 0x%s",
                        file.length, offset);
    }

    @Test
    void aProgramHeaderCountBeyondTheFileIsTruncation() {
        byte[] file = ElfBuilder.elf32().load(0x1000, CODE, CODE.length).programHeaderCount(0xffff).build();

        assertThatThrownBy(() -> read(file))
                .hasMessage("truncated ELF file: %d bytes end before 65535 program headers at offset 0x34", file.length);
    }

    @Test
    void programHeaderEntriesSpacedWiderThanTheirSizeAreReadAtTheirStride() throws IOException {
        byte[] spaced = ElfBuilder.elf32().load(0x1000, CODE, CODE.length).programHeaderEntrySize(0x100).build();
        byte[] beyond = ElfBuilder.elf32().load(0x1000, CODE, CODE.length).load(0x2000, DATA, DATA.length)
                .programHeaderEntrySize(0xffff).build();

        assertThat(read(spaced).segments()).singleElement().extracting(ElfImage.Loadable::address).isEqualTo(0x1000L);
        assertThatThrownBy(() -> read(beyond))
                .hasMessage("truncated ELF file: %d bytes end before 2 program headers at offset 0x34", beyond.length);
    }

    @Test
    void rejectsProgramHeaderEntriesSmallerThanAProgramHeader() {
        byte[] file = ElfBuilder.elf64().load(0x1000, CODE, CODE.length).programHeaderEntrySize(32).build();

        assertThatThrownBy(() -> read(file))
                .hasMessage("program header entry size 32 is below the 56 bytes of an ELF64 program header");
    }

    @Test
    void aBssIsAClaimThatCostsNothing() throws IOException {
        byte[] file = ElfBuilder.elf64().load(0x1000, CODE, 0x8000_0000L).build();

        ImageSegment segment = read(file).load(file(file)).get(0);

        assertThat(segment.bytes()).isEqualTo(CODE);
        assertThat(segment.size()).isEqualTo(0x8000_0000L);
        assertThat(segment.end()).isEqualTo(0x8000_1000L);
    }

    @Test
    void rejectsASegmentRunningPastTheEndOfTheAddressSpace() {
        byte[] file = ElfBuilder.elf64().load(0xffff_ffff_ffff_f000L, CODE, 0x2000).build();

        assertThatThrownBy(() -> read(file)).hasMessage(
                "segment 0 at 0xfffffffffffff000 with 0x2000 bytes in memory runs past the end of the address space");
    }

    @Test
    void rejectsASegmentWithMoreBytesInTheFileThanOneArrayHolds() {
        byte[] file = ElfBuilder.elf64().loadClaiming(0, 0, -1L, -1L).build();

        assertThatThrownBy(() -> read(file))
                .hasMessage("segment 0 at 0x0 is too large (0xffffffffffffffff bytes in the file)");
    }

    @ParameterizedTest(name = "p_offset 0x{0}")
    @ValueSource(strings = {"1000", "7ffffffffffffff8", "fffffffffffffff8"})
    void aSegmentWhoseBytesAreNotInTheFileIsTruncation(String offset) throws IOException {
        byte[] file = ElfBuilder.elf64().loadClaiming(Long.parseUnsignedLong(offset, 16), 0x1000, 0x10, 0x10).build();
        ElfImage elf = read(file);

        assertThatThrownBy(() -> elf.load(file(file))).isInstanceOf(InvalidImageException.class)
                .hasMessage("truncated ELF file: %d bytes end before segment 0 (0x10 bytes at offset 0x%s)",
                        file.length, offset);
    }

    @Test
    void aSegmentWithNoBytesInTheFileNeedsNoneThere() throws IOException {
        byte[] file = ElfBuilder.elf32().load(0x1000, CODE, CODE.length)
                .loadClaiming(0x7fff_0000L, 0x3000, 0, 0x100).build();

        List<ImageSegment> image = read(file).load(file(file));

        assertThat(image.get(1).bytes()).isEmpty();
        assertThat(image.get(1).size()).isEqualTo(0x100);
    }

    @Test
    void segmentsSharingBytesOfTheFileGetEachTheirOwn() throws IOException {
        byte[] code = {1, 2, 3, 4, 5, 6, 7, 8};
        int offset = 52 + 3 * 32; // after the ELF32 header and three program headers
        byte[] file = ElfBuilder.elf32().load(0x1000, code, code.length)
                .loadClaiming(offset + 2, 0x3000, 4, 4).loadClaiming(offset, 0x2000, 3, 8).build();

        List<ImageSegment> image = read(file).load(file(file));

        assertThat(image).extracting(ImageSegment::bytes)
                .containsExactly(code, new byte[] {3, 4, 5, 6}, new byte[] {1, 2, 3});
    }

    @Test
    void readsTheFileOnlyAsFarAsTheSegmentsGo() throws IOException {
        byte[] elf = ElfBuilder.elf64().load(0x1000, CODE, CODE.length).build();
        AtomicLong read = new AtomicLong();
        // The ELF, then as many bytes of section data or debug information as a file may hold.
        ImageFile huge = () -> new CountingStream(new SequenceInputStream(new ByteArrayInputStream(elf), endless()), read);

        ElfImage image = ElfImage.read(huge);
        image.load(huge);

        assertThat(read).as("bytes read, twice the ELF at most").hasValueLessThanOrEqualTo(2L * elf.length);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            REAL      | true  | false
            PROTECTED | true  | false
            PAGED     | true  | false
            LONG      | false | true
            """)
    void i386CodeRunsInTheModesOfIa32AndX86_64CodeInLongModeOnly(CpuMode mode, boolean i386, boolean x86_64)
            throws IOException {
        ElfImage elf32 = read(ElfBuilder.elf32().load(0x1000, CODE, CODE.length).build());
        ElfImage elf64 = read(ElfBuilder.elf64().load(0x1000, CODE, CODE.length).build());
        ElfImage x32 = read(ElfBuilder.elf32().machine(62).load(0x1000, CODE, CODE.length).build());

        assertThat(runsIn(elf32, mode)).as("ELF32 i386").isEqualTo(i386);
        assertThat(runsIn(elf64, mode)).as("ELF64 x86-64").isEqualTo(x86_64);
        assertThat(runsIn(x32, mode)).as("ELF32 x86-64 (x32)").isEqualTo(x86_64);
    }

    @Test
    void saysWhichModesAnExecutablesCodeRunsIn() throws IOException {
        ElfImage elf32 = read(ElfBuilder.elf32().load(0x1000, CODE, CODE.length).build());
        ElfImage elf64 = read(ElfBuilder.elf64().load(0x1000, CODE, CODE.length).build());

        assertThatThrownBy(() -> elf32.checkRunsIn(CpuMode.LONG)).hasMessage("an ELF32 i386 executable (EM_386) "
                + "holds 16- or 32-bit code, which runs in REAL, PROTECTED or PAGED mode, not LONG: use one of "
                + "those, or link the code for x86-64 (ld -m elf_x86_64)");
        assertThatThrownBy(() -> elf64.checkRunsIn(CpuMode.PROTECTED)).hasMessage("an ELF64 x86-64 executable "
                + "(EM_X86_64) holds 64-bit code, which runs in LONG mode only, not PROTECTED: use mode = LONG, or "
                + "link the code for i386 (ld -m elf_i386; an image whose entry is 32-bit code converts with "
                + "objcopy -O elf32-i386)");
    }

    private static boolean runsIn(ElfImage elf, CpuMode mode) {
        try {
            elf.checkRunsIn(mode);
            return true;
        } catch (InvalidImageException e) {
            return false;
        }
    }

    private static ElfImage read(byte[] file) throws IOException {
        return ElfImage.read(file(file));
    }

    private static ImageFile file(byte[] bytes) {
        return () -> new ByteArrayInputStream(bytes);
    }

    /** Zeros for ever. */
    private static InputStream endless() {
        return new InputStream() {
            @Override
            public int read() {
                return 0;
            }
        };
    }

    /** Counts the bytes read through it. */
    private static final class CountingStream extends FilterInputStream {
        private final AtomicLong count;

        CountingStream(InputStream in, AtomicLong count) {
            super(in);
            this.count = count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count.addAndGet(b < 0 ? 0 : 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count.addAndGet(Math.max(n, 0));
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count.addAndGet(skipped);
            return skipped;
        }
    }
}

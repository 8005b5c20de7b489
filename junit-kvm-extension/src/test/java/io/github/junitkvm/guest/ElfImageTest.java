package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ElfImageTest {
    private static final byte[] CODE = {(byte) 0xb0, 0x41, (byte) 0xe6, (byte) 0xe9, (byte) 0xf4};
    private static final byte[] DATA = {1, 2, 3};

    @ParameterizedTest(name = "ELF64 {0}")
    @ValueSource(booleans = {false, true})
    void loadsEachSegmentAtItsPhysicalAddressWithBssZeroFilled(boolean is64) {
        byte[] file = (is64 ? ElfBuilder.elf64() : ElfBuilder.elf32()).entry(0x2002)
                .load(0x2000, CODE, CODE.length)
                .segment(ElfBuilder.PT_NOTE, 0x9000, new byte[] {9, 9}, 2)
                .load(0x5000, DATA, 0x10)
                .build();

        ElfImage elf = ElfImage.parse(file);

        assertThat(elf.entry()).isEqualTo(0x2002);
        assertThat(elf.segments()).extracting(ElfImage.Loadable::index).containsExactly(0, 2);
        ImageSegment code = elf.segments().get(0).segment();
        assertThat(code.address()).as("p_paddr, not p_vaddr").isEqualTo(0x2000);
        assertThat(code.bytes()).isEqualTo(CODE);
        ImageSegment data = elf.segments().get(1).segment();
        assertThat(data.address()).isEqualTo(0x5000);
        assertThat(data.bytes()).hasSize(0x10).startsWith(DATA);
        assertThat(Arrays.copyOfRange(data.bytes(), DATA.length, 0x10)).as("bss").containsOnly(0);
    }

    @Test
    void recognisesTheMagic() {
        assertThat(ElfImage.hasMagic(ElfBuilder.elf32().build())).isTrue();
        assertThat(ElfImage.hasMagic(new byte[] {0x7f, 'E', 'L'})).isFalse();
        assertThat(ElfImage.hasMagic(CODE)).isFalse();
    }

    @Test
    void rejectsATruncatedHeader() {
        byte[] file = Arrays.copyOf(ElfBuilder.elf64().load(0x1000, CODE, CODE.length).build(), 40);

        assertThatThrownBy(() -> ElfImage.parse(file)).isInstanceOf(InvalidImageException.class)
                .hasMessage("truncated ELF file: 40 bytes end before the ELF64 header (64 bytes)");
    }

    @Test
    void rejectsTruncatedProgramHeaders() {
        byte[] file = Arrays.copyOf(ElfBuilder.elf32().load(0x1000, CODE, CODE.length).build(), 60);

        assertThatThrownBy(() -> ElfImage.parse(file))
                .hasMessage("truncated ELF file: 60 bytes end before 1 program headers at offset 0x34");
    }

    @Test
    void rejectsATruncatedSegment() {
        byte[] whole = ElfBuilder.elf32().load(0x1000, CODE, CODE.length).build();
        byte[] file = Arrays.copyOf(whole, whole.length - 1);

        assertThatThrownBy(() -> ElfImage.parse(file))
                .hasMessage("truncated ELF file: 88 bytes end before segment 0 (0x5 bytes at offset 0x54)");
    }

    @Test
    void rejectsAForeignMachine() {
        byte[] arm = ElfBuilder.elf32().machine(40).load(0x1000, CODE, CODE.length).build();

        assertThatThrownBy(() -> ElfImage.parse(arm))
                .hasMessage("ELF machine 40 is not x86 (EM_386 = 3 or EM_X86_64 = 62)");
    }

    @Test
    void rejectsWhatIsNotAnExecutable() {
        byte[] object = ElfBuilder.elf64().type(1).load(0x1000, CODE, CODE.length).build();
        byte[] shared = ElfBuilder.elf64().type(3).load(0x1000, CODE, CODE.length).build();

        assertThatThrownBy(() -> ElfImage.parse(object))
                .hasMessage("ELF type 1 is not an executable (ET_EXEC = 2): a relocatable object file, link it first");
        assertThatThrownBy(() -> ElfImage.parse(shared)).hasMessage("ELF type 3 is not an executable (ET_EXEC = 2)");
    }

    @Test
    void rejectsBigEndianAndUnknownClasses() {
        byte[] bigEndian = ElfBuilder.elf32().load(0x1000, CODE, CODE.length).build();
        bigEndian[5] = 2;
        byte[] unknownClass = ElfBuilder.elf32().load(0x1000, CODE, CODE.length).build();
        unknownClass[4] = 3;

        assertThatThrownBy(() -> ElfImage.parse(bigEndian)).hasMessageStartingWith("not a little-endian ELF file");
        assertThatThrownBy(() -> ElfImage.parse(unknownClass))
                .hasMessage("ELF class 3 is neither ELF32 (1) nor ELF64 (2)");
    }

    @Test
    void rejectsAnImageWithNothingToLoad() {
        byte[] file = ElfBuilder.elf32().segment(ElfBuilder.PT_NOTE, 0x1000, DATA, DATA.length).build();

        assertThatThrownBy(() -> ElfImage.parse(file)).hasMessage("no loadable (PT_LOAD) segment");
    }

    @Test
    void rejectsOverlappingSegments() {
        byte[] file = ElfBuilder.elf32().load(0x3000, CODE, 0x1000).load(0x2000, DATA, 0x1001).build();

        assertThatThrownBy(() -> ElfImage.parse(file))
                .hasMessage("segment 0 [0x3000, 0x4000) overlaps segment 1 [0x2000, 0x3001)");
    }

    @Test
    void rejectsMoreFileBytesThanMemoryBytes() {
        byte[] file = ElfBuilder.elf32().load(0x1000, CODE, 2).build();

        assertThatThrownBy(() -> ElfImage.parse(file))
                .hasMessage("segment 0 has more bytes in the file (0x5) than in memory (0x2)");
    }
}

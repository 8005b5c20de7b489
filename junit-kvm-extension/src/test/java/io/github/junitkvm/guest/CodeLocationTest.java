package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import io.github.junitkvm.disasm.CodeWidth;
import org.junit.jupiter.api.Test;

/** The CPU mode at a stop comes from the registers, whatever mode the guest started in. */
class CodeLocationTest {
    private static final Segment CODE_32 = new Segment(0x08, 0, 0xffffffff, 0xb, true, 0, true, true, false, true,
            false, false);
    private static final Segment CODE_16 = CODE_32.withDb(false);
    private static final Segment CODE_64 = CODE_32.withDb(false).withL(true).withSelector(0x18);

    @Test
    void realMode() {
        CodeLocation location = of(Segment.realMode(0x100, 0xb), 0, 0, 0x10);

        assertThat(location).isEqualTo(new CodeLocation(0x1010, CodeWidth.BITS_16, "real mode, 16-bit code", false));
    }

    @Test
    void protectedModeWithAndWithoutPaging() {
        assertThat(of(CODE_32, 0x11, 0, 0x1000))
                .isEqualTo(new CodeLocation(0x1000, CodeWidth.BITS_32, "protected mode, 32-bit code, paging off", false));
        assertThat(of(CODE_32, 0x80000011L, 0, 0x1000).mode()).isEqualTo("protected mode, 32-bit code, paging on");
        assertThat(of(CODE_16, 0x11, 0, 0x1000).width()).isEqualTo(CodeWidth.BITS_16);
    }

    @Test
    void longAndCompatibilityMode() {
        CodeLocation longMode = of(CODE_64, 0x80000011L, 0x500, 0x1000);
        assertThat(longMode).isEqualTo(new CodeLocation(0x1000, CodeWidth.BITS_64, "long mode, 64-bit code", true));
        assertThat(longMode.code()).isEqualTo("64-bit code");
        assertThat(of(CODE_32, 0x80000011L, 0x500, 0x1000).mode()).isEqualTo("compatibility mode, 32-bit code");
    }

    private static CodeLocation of(Segment cs, long cr0, long efer, long rip) {
        Segment data = Segment.realMode(0, 3);
        SpecialRegisters special = new SpecialRegisters(cs, data, data, data, data, data, data, data,
                new DescriptorTable(0, 0), new DescriptorTable(0, 0), cr0, 0, 0, 0, 0, efer, 0);
        return CodeLocation.of(GeneralRegisters.initial().withRip(rip), special);
    }
}

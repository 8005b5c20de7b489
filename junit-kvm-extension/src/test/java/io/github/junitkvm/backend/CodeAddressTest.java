package io.github.junitkvm.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import org.junit.jupiter.api.Test;

class CodeAddressTest {
    private static final long EFER_LME_LMA = 0x500;

    @Test
    void realModeAddsTheCodeSegmentsBase() {
        assertThat(CodeAddress.linear(rip(0x10), special(Segment.realMode(0xf000, 0xb), 0))).isEqualTo(0xf0010);
    }

    @Test
    void protectedModeWrapsAtFourGib() {
        Segment code = flatCode().withBase(0xffff_f000L);
        assertThat(CodeAddress.linear(rip(0x2000), special(code, 0))).isEqualTo(0x1000);
        assertThat(CodeAddress.is64BitCode(special(code, 0))).isFalse();
    }

    @Test
    void sixtyFourBitCodeIgnoresTheBase() {
        Segment code = flatCode().withL(true).withDb(false).withBase(0x1000);
        assertThat(CodeAddress.linear(rip(0xffff_8000_0000_1000L), special(code, EFER_LME_LMA)))
                .isEqualTo(0xffff_8000_0000_1000L);
        assertThat(CodeAddress.is64BitCode(special(code, EFER_LME_LMA))).isTrue();
    }

    @Test
    void compatibilityModeIsThirtyTwoBitCode() {
        assertThat(CodeAddress.is64BitCode(special(flatCode(), EFER_LME_LMA))).isFalse();
    }

    private static GeneralRegisters rip(long rip) {
        return GeneralRegisters.initial().withRip(rip);
    }

    private static Segment flatCode() {
        return new Segment(0x08, 0, 0xffffffff, 0xb, true, 0, true, true, false, true, false, false);
    }

    private static SpecialRegisters special(Segment cs, long efer) {
        Segment data = Segment.realMode(0, 3);
        return new SpecialRegisters(cs, data, data, data, data, data, data, data, new DescriptorTable(0, 0),
                new DescriptorTable(0, 0), 0x11, 0, 0, 0, 0, efer, 0);
    }
}

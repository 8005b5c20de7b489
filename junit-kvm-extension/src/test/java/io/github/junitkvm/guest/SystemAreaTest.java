package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.backend.RamRegion;
import java.util.List;
import org.junit.jupiter.api.Test;

class SystemAreaTest {
    private static final List<RamRegion> TWO_MIB = List.of(new RamRegion(0, 0x200000, false));

    @Test
    void goesToTheTopOfTheHighestRegion() {
        assertThat(SystemArea.find(TWO_MIB, CpuMode.LONG, code(0x1000, 12))).hasValue(0x200000 - 0x7000);
        assertThat(SystemArea.find(TWO_MIB, CpuMode.PAGED, code(0x1000, 12))).hasValue(0x200000 - 0x6000);
        assertThat(SystemArea.find(TWO_MIB, CpuMode.PROTECTED, code(0x1000, 12))).hasValue(0x200000 - 0x1000);
    }

    @Test
    void goesBelowCodeThatIsAtTheTop() {
        assertThat(SystemArea.find(TWO_MIB, CpuMode.PROTECTED, code(0x1ff800, 0x10))).hasValue(0x1fe000);
    }

    @Test
    void skipsToALowerRegionWhenTheHighestHasNoRoom() {
        List<RamRegion> ram = List.of(new RamRegion(0, 0x8000, false), new RamRegion(0x10000, 0x1000, false));

        assertThat(SystemArea.find(ram, CpuMode.PAGED, code(0x10000, 1))).hasValue(0x2000);
    }

    @Test
    void skipsReadOnlyRegions() {
        List<RamRegion> ram = List.of(new RamRegion(0, 0x10000, false), new RamRegion(0xf0000, 0x10000, true));

        assertThat(SystemArea.find(ram, CpuMode.LONG, code(0xf0000, 1))).hasValue(0x10000 - 0x7000);
    }

    @Test
    void staysBelowFourGib() {
        List<RamRegion> ram = List.of(new RamRegion(0xfffff000L, 0x2000, false));

        assertThat(SystemArea.find(ram, CpuMode.PROTECTED, code(0x100000000L, 1))).hasValue(0xfffff000L);
    }

    @Test
    void findsNothingWithoutRoomOrForRealMode() {
        assertThat(SystemArea.find(List.of(new RamRegion(0, 0x2000, false)), CpuMode.LONG, code(0x1000, 1))).isEmpty();
        assertThat(SystemArea.find(TWO_MIB, CpuMode.REAL, code(0x1000, 1))).isEmpty();
    }

    @Test
    void goesBelowEverySegmentInTheWay() {
        List<ImageSegment> image = List.of(new ImageSegment(0x1ff000, new byte[0x100]),
                new ImageSegment(0x1fe800, new byte[0x10]));

        assertThat(SystemArea.find(TWO_MIB, CpuMode.PROTECTED, image)).hasValue(0x1fd000);
    }

    /** @return an image of one segment of {@code length} bytes at {@code address} */
    private static List<ImageSegment> code(long address, int length) {
        return List.of(new ImageSegment(address, new byte[length]));
    }
}

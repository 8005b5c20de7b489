package io.github.junitkvm.emulator.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.backend.RamRegion;
import io.github.junitkvm.emulator.worker.MmioMap.Fragment;
import io.github.junitkvm.emulator.worker.MmioMap.Range;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The MMIO holes of an engine, and how an access splits into exits there. */
class MmioMapTest {
    /** RAM at 0x1000-0x1fff and 0x3000-0x3fff; MMIO below 0x10000 elsewhere. */
    private final MmioMap map = MmioMap.of(
            List.of(new RamRegion(0x3000, 0x1000, false), new RamRegion(0x1000, 0x1000, true)), 0x10000);

    @Test
    void holesAreTheGapsBetweenRamBelowTheLimit() {
        assertThat(map.ranges()).containsExactly(new Range(0, 0x1000), new Range(0x2000, 0x3000),
                new Range(0x4000, 0x10000));
    }

    @Test
    void theHookCoversEachHoleAndTheSevenBytesBelowIt() {
        assertThat(map.hooked(0x1ff8)).isFalse();
        assertThat(map.hooked(0x1ff9)).isTrue();
        assertThat(map.hooked(0x2fff)).isTrue();
        assertThat(map.hooked(0x3000)).isFalse();
        assertThat(map.ranges().get(0).hookBegin()).isZero();
    }

    @Test
    void anAccessInsideOnePageIsOneFragment() {
        assertThat(map.fragments(0x2010, 8)).containsExactly(new Fragment(0x2010, 8, 0));
        assertThat(map.fragments(0x2ff8, 8)).containsExactly(new Fragment(0x2ff8, 8, 0));
    }

    @Test
    void anAccessIsSplitWhereItLeavesAPageOrMmio() {
        assertThat(map.fragments(0x1ffe, 4)).as("from RAM into MMIO").containsExactly(new Fragment(0x2000, 2, 2));
        assertThat(map.fragments(0x2ffd, 4)).as("from MMIO into RAM").containsExactly(new Fragment(0x2ffd, 3, 0));
        assertThat(map.fragments(0x4ffc, 8)).as("across two MMIO pages")
                .containsExactly(new Fragment(0x4ffc, 4, 0), new Fragment(0x5000, 4, 4));
        assertThat(map.fragments(0x1ff8, 4)).as("all RAM").isEmpty();
    }

    @Test
    void aFragmentTakesAndPlacesItsBytesOfTheWholeValue() {
        Fragment upper = new Fragment(0x2000, 2, 2);

        assertThat(upper.of(0x11223344L)).isEqualTo(0x1122);
        assertThat(upper.place(0xabcdefL)).isEqualTo(0xcdef0000L);
        assertThat(new Fragment(0x2000, 8, 0).of(-1L)).isEqualTo(-1L);
    }
}

package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.backend.RamRegion;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class SystemTablesTest {
    private static final List<RamRegion> TWO_MIB = List.of(new RamRegion(0, 0x200000, false));

    @Test
    void gdtHoldsNullCode32DataAndCode64Descriptors() {
        byte[] area = SystemTables.build(CpuMode.PROTECTED, 0x1ff000, TWO_MIB);

        assertThat(area).hasSize(0x1000);
        assertThat(java.util.Arrays.copyOf(area, 32)).containsExactly(
                0, 0, 0, 0, 0, 0, 0, 0,
                0xff, 0xff, 0, 0, 0, 0x9b, 0xcf, 0,     // base 0, limit 0xfffff, G D P, execute/read accessed
                0xff, 0xff, 0, 0, 0, 0x93, 0xcf, 0,     // base 0, limit 0xfffff, G B P, read/write accessed
                0xff, 0xff, 0, 0, 0, 0x9b, 0xaf, 0);    // as the 32-bit code but L instead of D
    }

    @Test
    void pagedModeMapsFourGibInPaeTwoMibPages() {
        long base = 0x1fa000;
        ByteBuffer area = buffer(SystemTables.build(CpuMode.PAGED, base, TWO_MIB));

        assertThat(area.capacity()).as("GDT, PDPT, 4 page directories").isEqualTo(6 * 0x1000);
        assertThat(area.getLong(0x1000)).as("PDPT[0] -> PD 0, P only").isEqualTo(base + 0x2000 | 0x1);
        assertThat(area.getLong(0x1018)).as("PDPT[3] -> PD 3").isEqualTo(base + 0x5000 | 0x1);
        assertThat(area.getLong(0x2000)).as("0: PS, RW, P").isEqualTo(0x83);
        assertThat(area.getLong(0x2008)).isEqualTo(0x200083);
        assertThat(area.getLong(0x5ff8)).isEqualTo(0xffe00083L);
    }

    @Test
    void longModeMapsFourGibInTwoMibPages() {
        long base = 0x1f9000;
        ByteBuffer area = buffer(SystemTables.build(CpuMode.LONG, base, TWO_MIB));

        assertThat(area.capacity()).as("GDT, PML4, PDPT, 4 page directories").isEqualTo(7 * 0x1000);
        assertThat(area.getLong(0x1000)).as("PML4[0] -> PDPT").isEqualTo(base + 0x2000 | 0x3);
        assertThat(area.getLong(0x1008)).isZero();
        assertThat(area.getLong(0x2000)).as("PDPT[0] -> PD 0").isEqualTo(base + 0x3000 | 0x3);
        assertThat(area.getLong(0x2018)).as("PDPT[3] -> PD 3").isEqualTo(base + 0x6000 | 0x3);
        assertThat(area.getLong(0x2020)).isZero();
        assertThat(area.getLong(0x3000)).isEqualTo(0x83);
        assertThat(area.getLong(0x3008)).isEqualTo(0x200083);
        assertThat(area.getLong(0x6ff8)).isEqualTo(0xffe00083L);
    }

    @Test
    void longModeCoversRamAboveFourGib() {
        List<RamRegion> ram = List.of(new RamRegion(0, 0x10000, false),
                new RamRegion(0x140000000L, 0x1000, false));

        assertThat(SystemTables.longModeCoverage(ram)).isEqualTo(6L << 30);
        assertThat(SystemTables.size(CpuMode.LONG, ram)).isEqualTo(9 * 0x1000);
    }

    @Test
    void realModeNeedsNothing() {
        assertThat(SystemTables.size(CpuMode.REAL, TWO_MIB)).isZero();
    }

    private static ByteBuffer buffer(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }
}

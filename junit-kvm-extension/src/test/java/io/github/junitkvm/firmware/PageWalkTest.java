package io.github.junitkvm.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.DescriptorTable;
import io.github.junitkvm.GuestMemory;
import io.github.junitkvm.Segment;
import io.github.junitkvm.SpecialRegisters;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link PageWalk} against page tables built here, in each paging mode, with mappings that are not
 * the identity, so that a walk that skipped a level or misread an index would land elsewhere.
 */
class PageWalkTest {
    private static final long CR0_PE = 1;
    private static final long CR0_PG = 1L << 31;
    private static final long CR4_PSE = 1L << 4;
    private static final long CR4_PAE = 1L << 5;
    private static final long EFER_LME_LMA = 1L << 8 | 1L << 10;
    private static final long P_RW = 0x3;
    private static final long PS = 0x80;

    private final ArrayMemory memory = new ArrayMemory(0x40000);

    @Test
    void withoutPagingALinearAddressIsPhysicalCutTo32BitsOutsideLongMode() {
        assertThat(PageWalk.physical(cpu(CR0_PE, 0, 0, 0), memory, 0x1_0000_1234L)).hasValue(0x1234);
    }

    @Test
    void longModeWalksFourLevelsToA4KibPageAndStopsAtLargePages() {
        long linear = 0x0000_7f80_8060_1234L;  // PML4 255, PDPT 2, PD 3, PT 1
        memory.writeLong(0x1000 + 8 * 255, 0x2000 | P_RW);
        memory.writeLong(0x2000 + 8 * 2, 0x3000 | P_RW);
        memory.writeLong(0x3000 + 8 * 3, 0x4000 | P_RW);
        memory.writeLong(0x4000 + 8 * 1, 0x9000 | P_RW);
        SpecialRegisters cpu = cpu(CR0_PE | CR0_PG, 0x1000, CR4_PAE, EFER_LME_LMA);
        assertThat(PageWalk.physical(cpu, memory, linear)).hasValue(0x9234);

        memory.writeLong(0x3000 + 8 * 3, 0x0060_0000L | PS | P_RW);
        assertThat(PageWalk.physical(cpu, memory, linear)).as("a 2 MiB page").hasValue(0x0060_1234L);
        memory.writeLong(0x2000 + 8 * 2, 0x4000_0000L | PS | P_RW);
        assertThat(PageWalk.physical(cpu, memory, linear)).as("a 1 GiB page").hasValue(0x4060_1234L);
        memory.writeLong(0x1000 + 8 * 255, 0);
        assertThat(PageWalk.physical(cpu, memory, linear)).as("not present").isEmpty();
    }

    @Test
    void paeWalksThePdptThenTheDirectory() {
        long linear = 0xc040_3123L;            // PDPT 3, PD 2, PT 3
        memory.writeLong(0x1000 + 8 * 3, 0x2000 | 1);
        memory.writeLong(0x2000 + 8 * 2, 0x3000 | P_RW);
        memory.writeLong(0x3000 + 8 * 3, 0x7000 | P_RW);
        SpecialRegisters cpu = cpu(CR0_PE | CR0_PG, 0x1000, CR4_PAE, 0);
        assertThat(PageWalk.physical(cpu, memory, linear)).hasValue(0x7123);
        memory.writeLong(0x1000 + 8 * 3, 0);
        assertThat(PageWalk.physical(cpu, memory, linear)).isEmpty();
    }

    @Test
    void thirtyTwoBitPagingWalksTwoLevelsOf4ByteEntriesWith4MibPagesUnderPse() {
        long linear = 0x8040_5678L;            // PD 513, PT 5
        memory.writeInt(0x1000 + 4 * 513, 0x2000 | (int) P_RW);
        memory.writeInt(0x2000 + 4 * 5, 0x6000 | (int) P_RW);
        assertThat(PageWalk.physical(cpu(CR0_PE | CR0_PG, 0x1000, 0, 0), memory, linear)).hasValue(0x6678);

        memory.writeInt(0x1000 + 4 * 513, 0x0040_0000 | (int) (PS | P_RW));
        assertThat(PageWalk.physical(cpu(CR0_PE | CR0_PG, 0x1000, CR4_PSE, 0), memory, linear))
                .as("a 4 MiB page").hasValue(0x0040_5678L);
    }

    private static SpecialRegisters cpu(long cr0, long cr3, long cr4, long efer) {
        Segment flat = Segment.realMode(0, 0x3);
        DescriptorTable none = new DescriptorTable(0, 0);
        return new SpecialRegisters(flat, flat, flat, flat, flat, flat, flat, flat, none, none,
                cr0, 0, cr3, cr4, 0, efer, 0);
    }

    /** Guest physical memory of a few pages at 0. */
    private static final class ArrayMemory implements GuestMemory {
        private final byte[] bytes;

        ArrayMemory(int size) {
            bytes = new byte[size];
        }

        @Override
        public byte[] read(long address, int length) {
            return Arrays.copyOfRange(bytes, (int) address, (int) address + length);
        }

        @Override
        public void write(long address, byte... data) {
            System.arraycopy(data, 0, bytes, (int) address, data.length);
        }
    }
}

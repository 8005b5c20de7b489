package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.backend.RamRegion;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MultibootInfoTest {
    private static final long AT = 0x9000;
    private final RamLayout ram = new RamLayout(List.of(new RamRegion(0x100000, 0x300000, false),
            new RamRegion(0, 0xa0000, false), new RamRegion(0xf0000, 0x10000, true),
            new RamRegion(0x400000, 0x100000, false), new RamRegion(0x1000000, 0x100000, false)));

    @Test
    void describesTheMemoryTheCommandLineTheModulesAndTheLoader() {
        byte[] bytes = MultibootInfo.build(AT, ram, "kernel -v", List.of(
                new MultibootInfo.LoadedModule(0x500000, 0x500010, "initrd"),
                new MultibootInfo.LoadedModule(0x501000, 0x501001, "")));
        ByteBuffer info = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);

        assertThat(info.getInt(0)).isEqualTo(0x24d);
        assertThat(info.getInt(4)).as("mem_lower").isEqualTo(640);
        assertThat(info.getInt(8)).as("mem_upper: 1 MiB to the hole at 5 MiB").isEqualTo(4096);
        assertThat(string(bytes, info.getInt(16))).isEqualTo("kernel -v");
        assertThat(info.getInt(20)).isEqualTo(2);
        int modules = info.getInt(24);
        assertThat(info.getInt(at(modules))).isEqualTo(0x500000);
        assertThat(info.getInt(at(modules) + 4)).isEqualTo(0x500010);
        assertThat(string(bytes, info.getInt(at(modules) + 8))).isEqualTo("initrd");
        assertThat(info.getInt(at(modules) + 16)).isEqualTo(0x501000);
        assertThat(string(bytes, info.getInt(at(modules) + 24))).isEmpty();
        assertThat(string(bytes, info.getInt(64))).isEqualTo("junit-kvm");
        int map = info.getInt(48);
        assertThat(info.getInt(44)).isEqualTo(5 * 24);
        long[][] entries = new long[5][];
        for (int i = 0; i < 5; i++) {
            int entry = at(map) + 24 * i;
            assertThat(info.getInt(entry)).as("an entry's size counts what follows it").isEqualTo(20);
            entries[i] = new long[] {info.getLong(entry + 4), info.getLong(entry + 12), info.getInt(entry + 20)};
        }
        assertThat(entries).isDeepEqualTo(new long[][] {{0, 0xa0000, 1}, {0xf0000, 0x10000, 2},
                {0x100000, 0x300000, 1}, {0x400000, 0x100000, 1},
                {0x1000000, 0x100000, 1}});
        assertThat(bytes).hasSize(MultibootInfo.STRUCTURE_SIZE + 2 * 16 + 5 * 24 + "kernel -v".length() + 1
                + "junit-kvm".length() + 1 + "initrd".length() + 1 + 1);
    }

    @Test
    void withoutRamAtZeroOrAtOneMebibyteTheSizesAreZero() {
        RamLayout high = new RamLayout(List.of(new RamRegion(0x200000, 0x100000, false)));

        assertThat(MultibootInfo.lowerMemory(high)).isZero();
        assertThat(MultibootInfo.upperMemory(high)).isZero();
        assertThat(MultibootInfo.lowerMemory(new RamLayout(List.of(new RamRegion(0, 0x200000, false)))))
                .as("at most 640 KiB").isEqualTo(0xa0000);
    }

    private static int at(int address) {
        return (int) (address - AT);
    }

    private static String string(byte[] bytes, int address) {
        int start = at(address);
        int end = start;
        while (bytes[end] != 0) {
            end++;
        }
        return new String(bytes, start, end - start, StandardCharsets.US_ASCII);
    }
}

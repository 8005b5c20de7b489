package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.github.junitkvm.GuestMemory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A report reads only RAM, each block once. */
class MemoryWindowTest {
    /** RAM at [0x1000, 0x2000) holding the low byte of each address; every read is counted. */
    private final List<Long> reads = new ArrayList<>();
    private final GuestMemory ram = new GuestMemory() {
        @Override
        public byte[] read(long address, int length) {
            reads.add(address);
            if (address < 0x1000 || address >= 0x2000 || length > 0x2000 - address) {
                throw new IllegalArgumentException("outside RAM");
            }
            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++) {
                bytes[i] = (byte) (address + i);
            }
            return bytes;
        }

        @Override
        public void write(long address, byte... data) {
            throw new UnsupportedOperationException();
        }
    };

    @Test
    void readsForwardUpToTheEndOfRam() {
        MemoryWindow window = new MemoryWindow(ram);

        assertThat(window.from(0x1ffe, 16)).containsExactly(0xfe, 0xff);
        assertThat(window.from(0x2000, 16)).isEmpty();
        assertThat(window.from(0x1100, 3)).containsExactly(0x00, 0x01, 0x02);
    }

    @Test
    void readsBackwardDownToTheStartOfRam() {
        MemoryWindow window = new MemoryWindow(ram);

        assertThat(window.before(0x1002, 16)).containsExactly(0x00, 0x01);
        assertThat(window.before(0x1000, 16)).isEmpty();
        assertThat(window.before(0x1010, 2)).containsExactly(0x0e, 0x0f);
        assertThat(window.before(0x4, 16)).isEmpty();
    }

    @Test
    void readsEachBlockOnce() {
        MemoryWindow window = new MemoryWindow(ram);
        window.from(0x1000, 15);
        window.from(0x1004, 15);
        window.before(0x1010, 16);

        assertThat(reads).containsExactly(0x1000L);
    }

    @Test
    void addressesAtOrAbove2To63AreNeverRamAndAreNotRead() {
        MemoryWindow window = new MemoryWindow(ram);

        assertThat(window.from(0xffff_8000_4000_0000L, 32)).isEmpty();
        assertThat(window.before(0xffff_8000_4000_0000L, 16)).isEmpty();
        assertThat(window.from(-1, 32)).isEmpty();
        assertThat(window.before(Long.MIN_VALUE, 16)).isEmpty();
        assertThat(reads).isEmpty();
    }

    @Test
    void readsOnlyTheBlocksTheLengthTouchesNearTheTopOfTheAddressSpace() {
        MemoryWindow window = new MemoryWindow(ram);

        assertThat(window.from(Long.MAX_VALUE - 3, 32)).isEmpty();
        assertThat(window.before(Long.MAX_VALUE, 16)).isEmpty();
        assertThat(reads).containsOnly(Long.MAX_VALUE - 63);
    }

    @Test
    void memoryThatIsGoneIsAnError() {
        GuestMemory gone = new GuestMemory() {
            @Override
            public byte[] read(long address, int length) {
                throw new IllegalStateException("the VM has run again");
            }

            @Override
            public void write(long address, byte... data) {
            }
        };

        assertThatIllegalStateException().isThrownBy(() -> new MemoryWindow(gone).from(0x1000, 1))
                .withMessage("the VM has run again");
    }
}

package io.github.junitkvm.emulator.worker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How Unicorn's pieces of one MMIO read are served from its whole value. */
class PendingMmioReadTest {
    private final PendingMmioRead read = new PendingMmioRead();

    @Test
    void servesAnEightByteReadAsTheTwoHalvesUnicornAsksFor() {
        read.start(0x1000, 8, 0x1122334455667788L, address -> true);

        assertThat(read.isPieceOfUnaligned(0x1000, 8)).as("an aligned read has no pieces").isFalse();
        assertThat(read.piece(0x1000, 4)).isEqualTo(0x55667788L);
        assertThat(read.piece(0x1004, 4)).isEqualTo(0x11223344L);
    }

    @Test
    void servesAnUnalignedReadAsTheAlignedReadsAroundIt() {
        read.start(0x1002, 4, 0xaabbccddL, address -> true);

        assertThat(read.isPieceOfUnaligned(0x1000, 2)).as("another size").isFalse();
        assertThat(read.isPieceOfUnaligned(0x1008, 4)).as("another address").isFalse();
        assertThat(read.isPieceOfUnaligned(0x1000, 4)).isTrue();
        assertThat(read.isPieceOfUnaligned(0x1004, 4)).isTrue();
        assertThat(read.isPieceOfUnaligned(0x1004, 4)).as("a read of its own, once the piece passed").isFalse();
        // Unicorn joins them as (first >> 16) | (second << 16), so the bytes outside the read are 0.
        assertThat(read.piece(0x1000, 4)).isEqualTo(0xccdd0000L);
        assertThat(read.piece(0x1004, 4)).isEqualTo(0x0000aabbL);
    }

    @Test
    void expectsNoPieceWhereTheHookDoesNotLook() {
        read.start(0x1ffe, 4, 0xaabbccddL, address -> address >= 0x2000);   // RAM below 0x2000

        assertThat(read.isPieceOfUnaligned(0x1ffc, 4)).isFalse();
        assertThat(read.isPieceOfUnaligned(0x2000, 4)).isTrue();
        assertThat(read.piece(0x2000, 4)).isEqualTo(0x0000aabbL);
    }

    @Test
    void aClearedReadExpectsNoMorePieces() {
        read.start(0x1003, 8, 0, address -> true);

        read.clear();

        assertThat(read.isPieceOfUnaligned(0x1000, 8)).isFalse();
        assertThat(read.isPieceOfUnaligned(0x1008, 8)).isFalse();
    }
}

package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class MultibootHeaderTest {
    @Test
    void findsTheHeaderAtAFourAlignedOffsetWithItsFlags() {
        byte[] image = image(8192, 100, 0x3);

        MultibootHeader header = MultibootHeader.find(image);

        assertThat(header.offset()).isEqualTo(100);
        assertThat(header.flags()).isEqualTo(0x3);
        assertThat(header.addresses()).isEmpty();
    }

    @Test
    void ignoresTheMagicAtAnUnalignedOffsetOrPastTheFirst8192Bytes() {
        byte[] unaligned = image(8192, 102, 0);
        byte[] tooLate = image(16384, 8184, 0);

        assertThatThrownBy(() -> MultibootHeader.find(unaligned)).isInstanceOf(InvalidImageException.class)
                .hasMessage("no Multiboot header: the magic 0x1badb002 is not at any 4-aligned offset of the first"
                        + " 8192 bytes");
        assertThatThrownBy(() -> MultibootHeader.find(tooLate)).hasMessageStartingWith("no Multiboot header");
    }

    @Test
    void aWrongChecksumIsNamedWithItsOffset() {
        byte[] image = image(4096, 8, 0);
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 1);

        assertThatThrownBy(() -> MultibootHeader.find(image)).hasMessage("the Multiboot magic 0x1badb002 at offset 8"
                + " is followed by a checksum that does not make magic + flags + checksum zero, and no valid header"
                + " follows in the first 8192 bytes");
    }

    @Test
    void aValidHeaderAfterOneWithAWrongChecksumIsTaken() {
        byte[] image = image(4096, 64, 0);
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putInt(8, MultibootHeader.MAGIC).putInt(12, 0).putInt(16, 7);

        assertThat(MultibootHeader.find(image).offset()).isEqualTo(64);
    }

    @Test
    void aRequiredVideoModeIsRefused() {
        assertThatThrownBy(() -> MultibootHeader.find(image(4096, 0, 0x7))).hasMessage("the Multiboot header at"
                + " offset 0 (flags 0x00000007) requires a video mode (flag bit 2), and this loader has no video"
                + " device to set one");
    }

    @Test
    void anUnknownRequiredFlagIsRefusedAndAnUnknownOptionalOneIgnored() {
        assertThatThrownBy(() -> MultibootHeader.find(image(4096, 0, 1 << 5)))
                .hasMessageContaining("requires what flag bit 5 stands for");
        assertThat(MultibootHeader.find(image(4096, 0, 1 << 20)).flags()).isEqualTo(1 << 20);
    }

    @Test
    void readsTheAddressFieldsOfAFlatImage() {
        byte[] image = image(4096, 16, MultibootHeader.ADDRESSES);
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(28, 0x100010).putInt(32, 0x100000).putInt(36, 0x100800).putInt(40, 0x102000).putInt(44, 0x100040);

        MultibootHeader.Addresses addresses = MultibootHeader.find(image).addresses().orElseThrow();

        assertThat(addresses).isEqualTo(new MultibootHeader.Addresses(0x100010, 0x100000, 0x100800, 0x102000, 0x100040));
        assertThat(addresses.fileOffset(16)).isZero();
    }

    @Test
    void addressesThatContradictEachOtherAreRefused() {
        assertThatThrownBy(() -> new MultibootHeader.Addresses(0x100000, 0x100010, 0, 0, 0).fileOffset(0))
                .hasMessageContaining("load_addr 0x100010 does not fit its header_addr 0x100000");
        assertThatThrownBy(() -> new MultibootHeader.Addresses(0x100100, 0x100000, 0, 0, 0).fileOffset(16))
                .hasMessageContaining("would be loaded before the image's first byte");
        assertThatThrownBy(() -> new MultibootHeader.Addresses(0x100000, 0x100000, 0x100000, 0, 0).fileOffset(0))
                .hasMessageContaining("load_end_addr 0x100000 is not past its load_addr 0x100000");
        assertThatThrownBy(() -> new MultibootHeader.Addresses(0x100000, 0x100000, 0x102000, 0x101000, 0).fileOffset(0))
                .hasMessageContaining("bss_end_addr 0x101000 is below the end of the loaded image");
    }

    @Test
    void addressFieldsCutOffByTheSearchLimitAreRefused() {
        assertThatThrownBy(() -> MultibootHeader.find(image(8192, 8176, MultibootHeader.ADDRESSES)))
                .hasMessageContaining("sets flag bit 16 (address fields), but its 32 bytes do not end within");
    }

    /** An image of {@code size} zero bytes with a valid header at {@code offset}. */
    static byte[] image(int size, int offset, int flags) {
        byte[] image = new byte[size];
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(offset, MultibootHeader.MAGIC).putInt(offset + 4, flags).putInt(offset + 8, -(MultibootHeader.MAGIC + flags));
        return image;
    }
}

package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.Firmware;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.VmExit;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A real boot sector from a Debian package boots through the BIOS: SYSLINUX's master boot record
 * ({@code /usr/lib/syslinux/mbr/mbr.bin}, package {@code syslinux-common}, which {@code tools/test}
 * installs) on a disk the test assembles: the MBR's code, a partition table with one active
 * partition, and in that partition's first sector a small next stage that prints through
 * {@code INT 10h}. The BIOS loads the MBR at {@code 0x7c00}; the MBR moves itself away, asks
 * {@code INT 13h} for its extensions, reads the active partition's first sector to {@code 0x7c00}
 * and jumps there.
 *
 * <p>What to learn: {@code firmware = BIOS}, attaching a disk and booting it, and asserting on
 * what the guest printed ({@link GuestRun#screenOutput()}) and on the BIOS calls it made.
 */
class SyslinuxMbrBootTest {
    private static final Path MBR = Path.of("/usr/lib/syslinux/mbr/mbr.bin");
    private static final int SECTORS = 8192;
    private static final int PARTITION_START = 2048;

    /** The next stage: prints the NUL-terminated message after it through INT 10h AH=0Eh, then halts. */
    private static final byte[] NEXT_STAGE = {
        (byte) 0xbe, 0x0f, 0x7c,        // mov $0x7c0f, %si: the message
        (byte) 0xac,                    // lodsb
        (byte) 0x84, (byte) 0xc0,       // test %al, %al
        0x74, 0x06,                     // jz hlt
        (byte) 0xb4, 0x0e,              // mov $0x0e, %ah
        (byte) 0xcd, 0x10,              // int $0x10
        (byte) 0xeb, (byte) 0xf5,       // jmp lodsb
        (byte) 0xf4,                    // hlt
    };

    // tag::boot[]
    @Test
    @KvmGuest(firmware = Firmware.BIOS)
    void syslinuxMbrBootsTheActivePartition(KvmVm vm) throws IOException {
        vm.bios().attachDisk(0x80, disk()).boot(0x80);

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run.screenOutput()).isEqualTo("next stage");
        assertThat(run.exits()).contains(VmExit.interrupt(0x13));
        assertThat(run.registers().rdx() & 0xff).as("DL: the boot drive, passed on by the MBR").isEqualTo(0x80);
    }
    // end::boot[]

    private static byte[] disk() throws IOException {
        if (!Files.isRegularFile(MBR)) {
            throw new IllegalStateException(MBR + " is missing: apt-get install syslinux-common (tools/test does)");
        }
        ByteBuffer disk = ByteBuffer.allocate(SECTORS * 512).order(ByteOrder.LITTLE_ENDIAN);
        disk.put(Files.readAllBytes(MBR));
        disk.position(0x1be);
        disk.put((byte) 0x80).put(new byte[3])                  // active; CHS start unused
                .put((byte) 0x83).put(new byte[3])              // Linux; CHS end unused
                .putInt(PARTITION_START).putInt(SECTORS - PARTITION_START);
        disk.putShort(510, (short) 0xaa55);
        int stage = PARTITION_START * 512;
        disk.put(stage, NEXT_STAGE);
        byte[] message = "next stage\0".getBytes(StandardCharsets.US_ASCII);
        disk.put(stage + NEXT_STAGE.length, message);
        disk.putShort(stage + 510, (short) 0xaa55);
        return disk.array();
    }
}

package io.github.junitkvm.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestArena;
import io.github.junitkvm.GuestFunction;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.Adler32;
import java.util.zip.CRC32;
import java.util.zip.Checksum;
import org.junit.jupiter.api.Test;

/**
 * A real C library called by name: zlib's checksum functions, its {@code adler32.o} and
 * {@code crc32.o} exactly as Debian compiled them (taken from {@code libz.a} of zlib1g-dev and
 * linked at 0x1000 by {@code src/test/c/build.sh}), checked against {@link Adler32} and
 * {@link CRC32} over hundreds of buffers, each test on one VM.
 *
 * <p>What to learn: {@code vm.function("adler32")} finds the function in the ELF's symbol table;
 * {@code call(…)} passes the arguments as the System V AMD64 ABI wants them and returns when the
 * function does; the {@link GuestArena} holds the buffers whose addresses are passed. No entry stub,
 * no fixed addresses, no trampoline of the test's own.
 */
@KvmGuest(mode = CpuMode.LONG, resource = "/guests/zlib-64.elf")
class ZlibChecksumsTest {
    // tag::adler32[]
    @Test
    @KvmGuest(mode = CpuMode.LONG, resource = "/guests/zlib-64.elf")   // zlib's adler32.o, linked at 0x1000
    void adler32MatchesJava(KvmVm vm) {
        byte[] data = "Wikipedia".getBytes();
        long buffer = vm.arena().put(data);                                // guest RAM for the test's data

        long adler = vm.call("adler32", 1, buffer, data.length).asUnsignedInt();

        assertThat(adler).isEqualTo(0x11e60398L);
    }
    // end::adler32[]

    @Test
    void adler32MatchesJavasAdler32(KvmVm vm) {
        // uLong adler32(uLong adler, const Bytef *buf, uInt len), starting from 1
        assertMatchesOverManyBuffers(vm.function("adler32"), 1, Adler32::new, vm.arena());
    }

    @Test
    void crc32MatchesJavasCrc32(KvmVm vm) {
        // uLong crc32(uLong crc, const Bytef *buf, uInt len), starting from 0
        assertMatchesOverManyBuffers(vm.function("crc32"), 0, CRC32::new, vm.arena());
    }

    @Test
    void combiningTheChecksumsOfTwoPartsGivesThatOfTheWhole(KvmVm vm) {
        Random random = new Random(13);
        for (int i = 0; i < 50; i++) {
            byte[] first = randomBytes(random, 3000);
            byte[] second = randomBytes(random, 3000);
            byte[] whole = concat(first, second);

            long adler = vm.call("adler32_combine", reference(new Adler32(), first), reference(new Adler32(), second),
                    second.length).asUnsignedInt();
            long crc = vm.call("crc32_combine", reference(new CRC32(), first), reference(new CRC32(), second),
                    second.length).asUnsignedInt();

            assertThat(adler).isEqualTo(reference(new Adler32(), whole));
            assertThat(crc).isEqualTo(reference(new CRC32(), whole));
        }
    }

    @Test
    void updatesAChecksumPartByPart(KvmVm vm) {
        byte[] text = "The quick brown fox jumps over the lazy dog".getBytes();
        long address = vm.arena().put(text);

        long head = vm.call("crc32", 0, address, 10).asUnsignedInt();
        long whole = vm.call("crc32", head, address + 10, text.length - 10).asUnsignedInt();

        assertThat(whole).isEqualTo(0x414fa339L).isEqualTo(reference(new CRC32(), text));
    }

    private static void assertMatchesOverManyBuffers(GuestFunction checksum, long initial,
                                                     Supplier<Checksum> reference, GuestArena arena) {
        for (byte[] data : buffers()) {
            arena.reset();
            long buffer = arena.put(data);

            long value = checksum.call(initial, buffer, data.length).asUnsignedInt();

            assertThat(value).as("%s of %d bytes", checksum.name(), data.length)
                    .isEqualTo(reference(reference.get(), data));
        }
    }

    /** Edge cases, then random buffers of up to 8 KiB. */
    private static List<byte[]> buffers() {
        Random random = new Random(32);
        byte[] ones = new byte[5552 * 3 + 7]; // adler32 reduces modulo 65521 every 5552 bytes
        Arrays.fill(ones, (byte) 0xff);
        return Stream.concat(Stream.of(new byte[0], new byte[] {0}, "123456789".getBytes(), new byte[1000], ones),
                Stream.generate(() -> randomBytes(random, 8192)).limit(200)).toList();
    }

    private static byte[] randomBytes(Random random, int maximumLength) {
        byte[] data = new byte[random.nextInt(maximumLength)];
        random.nextBytes(data);
        return data;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] whole = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, whole, first.length, second.length);
        return whole;
    }

    private static long reference(Checksum checksum, byte[] data) {
        checksum.update(data);
        return checksum.getValue();
    }
}

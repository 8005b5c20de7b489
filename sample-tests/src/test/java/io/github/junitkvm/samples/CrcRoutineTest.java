package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A routine written in C — CRC-32 with the reflected polynomial 0xEDB88320, in
 * {@code src/test/c/crc32.c} — compiled as a 32-bit and a 64-bit freestanding guest and checked
 * against {@link CRC32} over many buffers, in the CPU mode each build is for.
 *
 * <p>What to learn: Maven builds the guests before the tests (exec-maven-plugin runs
 * {@code src/test/c/build.sh} in {@code generate-test-resources}: {@code gcc -ffreestanding
 * -nostdlib}, {@code ld -Ttext=0x1000}), so they are classpath resources; {@code resource} loads an
 * ELF at its segments' physical addresses and starts it at its entry point; {@code PROTECTED} and
 * {@code LONG} start the vCPU ready for compiled code (flat segments, identity paging, a stack), so
 * the entry stub is a {@code call} and a {@code hlt}. The test talks to the guest through fixed
 * addresses: it writes the buffer and its length, the guest stores the CRC next to the length,
 * returns it in EAX/RAX and prints it to COM1. The guest also checks its input with
 * {@code KVM_ASSERT} and logs with {@code KVM_LOG} from junit-kvm's guest library
 * ({@code junitkvm.h}, which Maven extracts from the extension first); {@link CrcSelfCheckTest}
 * shows more of it.
 */
class CrcRoutineTest {
    /** {@code struct job} in guest.c: the length (in), then the CRC (out). */
    private static final long JOB = 0x8000;
    private static final long BUFFER = 0x10000;

    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("buffers")
    @KvmGuest(mode = CpuMode.PROTECTED, resource = "/guests/crc32-32.elf")
    void the32BitBuildMatchesJavasCrc32(int length, byte[] data, KvmVm vm) {
        assertComputesTheCrc(data, vm);
    }

    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("buffers")
    @KvmGuest(mode = CpuMode.LONG, resource = "/guests/crc32-64.elf")
    void the64BitBuildMatchesJavasCrc32(int length, byte[] data, KvmVm vm) {
        assertComputesTheCrc(data, vm);
    }

    private static void assertComputesTheCrc(byte[] data, KvmVm vm) {
        vm.memory().write(BUFFER, data);
        vm.memory().writeInt(JOB, data.length);

        GuestRun run = vm.run();

        long expected = reference(data);
        assertThat(run).haltedNormally().hasSerialOutput(String.format("%08x%n", expected));
        assertThat(run).guestLog().containsExactly(
                String.format("crc32 of %d bytes at 0x%x: %08x", data.length, BUFFER, expected));
        assertThat(run).registers().hasRax(expected);
        assertThat(Integer.toUnsignedLong(run.memory().readInt(JOB + 4))).isEqualTo(expected);
    }

    static Stream<Arguments> buffers() {
        Random random = new Random(32);
        return Stream.concat(
                Stream.of(new byte[0], new byte[] {0}, new byte[] {(byte) 0xff}, "123456789".getBytes(),
                        "The quick brown fox jumps over the lazy dog".getBytes(), new byte[1000],
                        filled(4096, (byte) 0xff)),
                Stream.generate(() -> {
                    byte[] data = new byte[random.nextInt(8192)];
                    random.nextBytes(data);
                    return data;
                }).limit(25))
                .map(data -> Arguments.of(data.length, data));
    }

    private static long reference(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }

    private static byte[] filled(int length, byte value) {
        byte[] data = new byte[length];
        Arrays.fill(data, value);
        return data;
    }
}

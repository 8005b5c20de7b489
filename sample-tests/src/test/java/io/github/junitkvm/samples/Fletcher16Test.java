package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A hand-written real-mode routine — the Fletcher-16 checksum of the buffer at DS:SI, CX bytes
 * long, returned in AX — checked against a Java reference over many buffers passed through guest
 * memory.
 *
 * <pre>
 *         xor  bx, bx          ; sum1
 *         xor  di, di          ; sum2
 *         jcxz done
 * next:   xor  ah, ah
 *         lodsb
 *         add  bx, ax          ; sum1 = (sum1 + byte) % 255
 *         cmp  bx, 255
 *         jb   1f
 *         sub  bx, 255
 * 1:      add  di, bx          ; sum2 = (sum2 + sum1) % 255
 *         cmp  di, 255
 *         jb   2f
 *         sub  di, 255
 * 2:      loop next
 * done:   mov  ax, di
 *         mov  ah, al          ; ax = sum2 &lt;&lt; 8 | sum1
 *         mov  al, bl
 *         hlt
 * </pre>
 */
class Fletcher16Test {
    private static final String FLETCHER16 = "31 db 31 ff e3 1d 30 e4 ac 01 c3 81 fb ff 00 72 04 81 eb ff 00 01 df 81 ff"
            + " ff 00 72 04 81 ef ff 00 e2 e3 89 f8 88 c4 88 d8 f4";
    private static final long BUFFER = 0x4000;

    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("buffers")
    @KvmGuest(code = FLETCHER16)
    void matchesTheReference(int length, byte[] data, KvmVm vm) {
        vm.memory().write(BUFFER, data);
        vm.setRegisters(vm.registers().withRsi(BUFFER).withRcx(length));

        GuestRun run = vm.run();

        assertThat(run).haltedNormally();
        assertThat(run).registers().hasRax(fletcher16(data)).hasRcx(0).hasRsi(BUFFER + length);
    }

    static Stream<Arguments> buffers() {
        Random random = new Random(16);
        return Stream.concat(
                Stream.of(new byte[0], new byte[] {1}, filled(512, (byte) 0xff), "abcde".getBytes(),
                        "abcdefgh".getBytes()),
                Stream.generate(() -> {
                    byte[] data = new byte[random.nextInt(4096)];
                    random.nextBytes(data);
                    return data;
                }).limit(40))
                .map(data -> Arguments.of(data.length, data));
    }

    /** The reference: RFC 1146's Fletcher checksum with 8-bit sums. */
    static int fletcher16(byte[] data) {
        int sum1 = 0;
        int sum2 = 0;
        for (byte b : data) {
            sum1 = (sum1 + (b & 0xff)) % 255;
            sum2 = (sum2 + sum1) % 255;
        }
        return sum2 << 8 | sum1;
    }

    private static byte[] filled(int length, byte value) {
        byte[] data = new byte[length];
        java.util.Arrays.fill(data, value);
        return data;
    }
}

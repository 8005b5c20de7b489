package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A firmware routine that prints AX in decimal on COM1, checked against {@link Integer#toString}
 * for every power of two, its neighbours, and the edges of the 16-bit range.
 *
 * <pre>
 *         mov  bx, 10
 *         xor  cx, cx
 * 1:      xor  dx, dx
 *         div  bx              ; ax = ax / 10, dx = the digit
 *         push dx
 *         inc  cx
 *         test ax, ax
 *         jnz  1b
 *         mov  dx, 0x3f8
 * 2:      pop  ax
 *         add  al, '0'
 *         out  dx, al
 *         loop 2b
 *         mov  al, 10
 *         out  dx, al
 *         hlt
 * </pre>
 */
class PrintDecimalTest {
    private static final String PRINT_DECIMAL = "bb 0a 00 31 c9 31 d2 f7 f3 52 41 85 c0 75 f6 ba f8 03 58 04 30 ee e2 fa"
            + " b0 0a ee f4";

    @ParameterizedTest(name = "{0}")
    @MethodSource("values")
    @KvmGuest(code = PRINT_DECIMAL)
    void printsLikeJava(int value, KvmVm vm) {
        vm.setRegisters(vm.registers().withRax(value));

        GuestRun run = vm.run();

        assertThat(run).haltedNormally().hasSerialOutput(Integer.toString(value) + "\n");
        assertThat(run).registers().hasRsp(0xfff0);
    }

    static IntStream values() {
        return IntStream.concat(IntStream.of(0, 9, 10, 99, 100, 65535),
                IntStream.range(1, 16).flatMap(bit -> IntStream.of((1 << bit) - 1, 1 << bit, (1 << bit) + 1)))
                .filter(value -> value <= 0xffff)
                .distinct();
    }
}

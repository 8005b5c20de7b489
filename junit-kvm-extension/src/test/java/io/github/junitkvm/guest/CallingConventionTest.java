package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.backend.RamRegion;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CallingConventionTest {
    private static final List<RamRegion> TWO_MIB = List.of(new RamRegion(0, 0x200000, false));
    private static final List<ImageSegment> IMAGE = List.of(new ImageSegment(0x1000, new byte[0x3d08]));

    @Test
    void theCallAreaIsTheLargestFreeBlockWithTheStackAtItsTop() {
        CallArea area = CallArea.find(TWO_MIB, CpuMode.LONG, IMAGE).orElseThrow();

        // The long-mode tables take [0x1f9000, 0x200000); the image ends at 0x4d08.
        assertThat(area).isEqualTo(new CallArea(0x4d10, 0x1e8ff0, 0x1f8ff0));
    }

    @Test
    void aBlockBelowTheMinimumIsNoCallArea() {
        // The GDT takes [0x1ff000, 0x200000): 1 KiB is left below it, then a byte less.
        List<ImageSegment> leavingOneKib = List.of(new ImageSegment(0, new byte[0x1fec00]));
        List<ImageSegment> leavingLess = List.of(new ImageSegment(0, new byte[0x1fec01]));

        assertThat(CallArea.find(TWO_MIB, CpuMode.PROTECTED, leavingOneKib)).isPresent();
        assertThat(CallArea.find(TWO_MIB, CpuMode.PROTECTED, leavingLess)).isEmpty();
    }

    @ParameterizedTest(name = "{0} arguments")
    @ValueSource(ints = {0, 1, 6, 7, 8, 11})
    void systemVPassesSixInRegistersAndTheRestOnAStackAlignedAtTheCall(int count) {
        CallArea area = new CallArea(0x10000, 0x20000, 0x30000);
        long[] arguments = LongStream.rangeClosed(1, count).map(i -> i * 0x1_0000_0001L).toArray();

        CallingConvention.Frame frame = CallingConvention.SYSTEM_V_AMD64.frame(area, 0x1234, arguments);

        GeneralRegisters registers = frame.registers();
        assertThat((frame.rsp() + 8) % 16).as("16-byte aligned before the call pushed the return address").isZero();
        assertThat(registers.rsp()).isEqualTo(frame.rsp());
        assertThat(registers.rip()).isEqualTo(0x1234);
        assertThat(registers.rax()).as("no vector registers for a variadic callee").isZero();
        long[] inRegisters = {registers.rdi(), registers.rsi(), registers.rdx(), registers.rcx(), registers.r8(),
                registers.r9()};
        for (int i = 0; i < 6; i++) {
            assertThat(inRegisters[i]).isEqualTo(i < count ? arguments[i] : 0);
        }
        ByteBuffer stack = ByteBuffer.wrap(frame.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(stack.getLong(0)).as("the return address").isEqualTo(area.trampoline());
        for (int i = 6; i < count; i++) {
            assertThat(stack.getLong(8 + 8 * (i - 6))).isEqualTo(arguments[i]);
        }
        assertThat(frame.bytes()[(int) (area.trampoline() - frame.rsp())]).as("hlt").isEqualTo((byte) 0xf4);
    }

    @ParameterizedTest(name = "{0} arguments")
    @ValueSource(ints = {0, 1, 3, 4, 5, 9})
    void cdeclPassesEveryArgumentOnAStackAlignedAtTheCall(int count) {
        CallArea area = new CallArea(0x10000, 0x20000, 0x30000);
        long[] arguments = LongStream.rangeClosed(1, count).map(i -> -i).toArray();

        CallingConvention.Frame frame = CallingConvention.CDECL.frame(area, 0x1234, arguments);

        assertThat((frame.rsp() + 4) % 16).as("16-byte aligned before the call pushed the return address").isZero();
        ByteBuffer stack = ByteBuffer.wrap(frame.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(stack.getInt(0)).isEqualTo((int) area.trampoline());
        for (int i = 0; i < count; i++) {
            assertThat(stack.getInt(4 + 4 * i)).isEqualTo((int) arguments[i]);
        }
    }

    @Test
    void cdeclTakesSignedAndUnsigned32BitValuesOnly() {
        CallArea area = new CallArea(0x10000, 0x20000, 0x30000);

        CallingConvention.CDECL.frame(area, 0, new long[] {Integer.MIN_VALUE, 0xffff_ffffL, -1});
        assertThatIllegalArgumentException()
                .isThrownBy(() -> CallingConvention.CDECL.frame(area, 0, new long[] {0, -0x1_0000_0000L}))
                .withMessageStartingWith("argument 1, 0xffffffff00000000, does not fit the 32-bit stack slot");
    }

    @Test
    void argumentsMayTakeHalfTheStack() {
        CallArea area = new CallArea(0x10000, 0x10400, 0x10800);

        CallingConvention.SYSTEM_V_AMD64.frame(area, 0, new long[6 + 60]);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> CallingConvention.SYSTEM_V_AMD64.frame(area, 0, new long[6 + 200]))
                .withMessage("200 stack arguments do not fit the call stack of 1024 bytes");
    }

    @Test
    void realModeHasNoConvention() {
        assertThatIllegalStateException().isThrownBy(() -> CallingConvention.of(CpuMode.REAL));
        assertThat(CallingConvention.of(CpuMode.PAGED)).isEqualTo(CallingConvention.CDECL);
    }
}

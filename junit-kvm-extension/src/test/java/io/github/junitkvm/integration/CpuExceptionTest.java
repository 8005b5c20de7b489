package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.Backend;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.testsupport.LoadedUnicorn;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * CPU exceptions, delivered through the guest's interrupt vector table on both backends. Where the
 * backends differ (an instruction libunicorn 2.0.1 aborts on), the test states both behaviours;
 * {@code InterruptDeliveryTest} has the guests that install their own tables.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CpuExceptionTest {
    /** A handler at 0x2000 that reports through port 0x80 and halts: mov al,0xee; out 0x80,al; hlt. */
    private static final byte[] HANDLER = {(byte) 0xb0, (byte) 0xee, (byte) 0xe6, (byte) 0x80, (byte) 0xf4};

    @Test
    @Order(1)
    @KvmGuest(code = "ff d9 f4")  // the invalid register form of a far call: #UD; libunicorn 2.0.1 aborts on it, 2.1.4 does not
    void anInvalidInstruction(KvmVm vm) {
        installHandler(vm, 6);

        GuestRun run = vm.run();

        if (vm.backend() == Backend.KVM || LoadedUnicorn.isAtLeast(2, 1, 4)) {
            assertThat(run).haltedNormally();
            assertThat(run).exits().containsExactly(VmExit.ioOut(0x80, 0xee), VmExit.hlt());
        } else {
            assertThat(run).stoppedWith(ExitReason.EMULATOR_FAULT);
            assertThat(run.lastExit().detail()).contains("tcg fatal error");
        }
    }

    @Test
    @Order(2)
    @KvmGuest(code = "ba f8 03 00 d8 04 30 ee f4", registers = @io.github.junitkvm.Registers(rax = 3, rbx = 4))
    void theNextTestRunsNormally(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("7");
    }

    @Test
    @Order(3)
    @KvmGuest(code = "90 cc f4")  // nop; int3; hlt
    void aBreakpoint(KvmVm vm) {
        installHandler(vm, 3);

        GuestRun run = vm.run();

        assertThat(run).exits().containsExactly(VmExit.ioOut(0x80, 0xee), VmExit.hlt());
    }

    /** Points the real-mode interrupt vector at {@link #HANDLER}, placed at 0000:2000. */
    private static void installHandler(KvmVm vm, int vector) {
        vm.memory().write(0x2000, HANDLER);
        vm.memory().writeShort(vector * 4L, 0x2000);
        vm.memory().writeShort(vector * 4L + 2, 0);
    }
}

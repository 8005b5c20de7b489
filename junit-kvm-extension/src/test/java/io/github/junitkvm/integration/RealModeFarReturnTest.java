package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.Backend;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.testsupport.LoadedUnicorn;
import org.junit.jupiter.api.Test;

/**
 * A far return in real mode ({@code lret}, {@code lret $n}) pops IP and CS and then releases the
 * immediate's bytes, on KVM and Unicorn 2.1. Unicorn 2.0.1 loses the IP it popped when a memory
 * read hook exists, which the emulator always has for MMIO (docs/backends.md, "What the emulator cannot
 * do"): the far return runs again with the stack moved on, returns into zeros, and the run ends
 * where it fetches code outside RAM.
 */
class RealModeFarReturnTest {
    @Test
    @KvmGuest(asm = """
                    mov %sp, %bp
                    push $0x1234        # an argument, which the callee releases
                    lcall $0, $far
                    mov %sp, %bx
                    mov $7, %dx
                    hlt
            far:    lret $2
            """)
    void aFarReturnWithAnImmediateReturnsAndReleasesTheArgument(GuestRun run) {
        if (isUnicorn20(run)) {
            assertThat(run).stoppedWith(ExitReason.INTERNAL_ERROR);
            return;
        }
        assertThat(run).haltedNormally().registers().hasRdx(7).hasRbx(run.registers().rbp());
    }

    @Test
    @KvmGuest(asm = """
                    mov %sp, %bp
                    lcall $0, $far
                    mov %sp, %bx
                    mov $7, %dx
                    hlt
            far:    lret
            """)
    void aFarReturnReturnsToTheCaller(GuestRun run) {
        if (isUnicorn20(run)) {
            assertThat(run).stoppedWith(ExitReason.INTERNAL_ERROR);
            return;
        }
        assertThat(run).haltedNormally().registers().hasRdx(7).hasRbx(run.registers().rbp());
    }

    private static boolean isUnicorn20(GuestRun run) {
        return run.backend() == Backend.EMULATOR && !LoadedUnicorn.isAtLeast(2, 1, 0);
    }
}

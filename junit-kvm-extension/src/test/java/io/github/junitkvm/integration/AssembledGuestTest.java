package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.Registers;
import io.github.junitkvm.testsupport.FixtureRuns;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code @KvmGuest(asm)}: GNU as source, assembled at test time and linked at the load address. */
class AssembledGuestTest {
    /** The program of both tests below: its label msg is 16 bytes past the load address. */
    private static final String HELLO = """
                    mov $0x3f8, %dx
                    mov $msg, %si
                    mov $len, %cx
                    cld
                    rep outsb
                    mov $msg, %bx       # the label's absolute address, for the test to check
                    hlt
            msg:    .ascii "hi from asm\\n"
            len = . - msg
            """;

    @Test
    @KvmGuest(asm = HELLO, registers = @Registers(rbx = 0x5555))
    void printsToCom1AndHalts(GuestRun run) {
        assertThat(run).haltedNormally().hasSerialOutput("hi from asm\n");
        assertThat(run).registers().hasRbx(0x1010);
        assertThat(run).memoryAt(0x1010, 2).containsExactly('h', 'i');
    }

    @Test
    @KvmGuest(asm = HELLO, loadAddress = 0x7c00)
    void linksLabelsAtTheLoadAddress(KvmVm vm) {
        assertThat(vm.registers().rip()).isEqualTo(0x7c00);

        GuestRun run = vm.run();

        assertThat(run).hasSerialOutput("hi from asm\n");
        assertThat(run).registers().hasRbx(0x7c10);
    }

    @Test
    void anAssemblerErrorFailsTheTestShowingTheLine() {
        Throwable failure = FixtureRuns.failureOf(Fixture.class, "badInstruction", KvmVm.class.getName());
        assertThat(failure).hasMessage("@KvmGuest(asm): line 3: no such instruction: `movx %ax,%bx'\n"
                + "    movx %ax,%bx");
    }

    /** Run by {@link #anAssemblerErrorFailsTheTestShowingTheLine} only. */
    @Tag("fixture")
    static class Fixture {
        @Test
        @KvmGuest(asm = """
                mov $1, %ax
                mov %ax, %cx
                movx %ax,%bx
                hlt
                """)
        void badInstruction(KvmVm vm) {
        }
    }
}

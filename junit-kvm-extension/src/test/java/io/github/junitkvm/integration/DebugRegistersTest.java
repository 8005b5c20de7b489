package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.Backend;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.VmExit;
import io.github.junitkvm.testsupport.LoadedUnicorn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Debug exceptions (#DB, vector 1) in {@code REAL} mode, with a handler in the interrupt vector
 * table that reports through port 0x80 and halts. KVM delivers them through the table, as hardware
 * does, and so does the emulator for a single-step trap; it ignores data breakpoints (Unicorn 2.0.1
 * and 2.1.4 implement none); and a guest that sets an instruction breakpoint crashes Unicorn 2.0.1
 * itself (unicorn-engine/unicorn#2001,
 * fixed in 2.1.2): the run ends with an {@code EMULATOR_FAULT} that carries the beginning of the
 * worker JVM's crash report, and the report file is not left in the working directory. From 2.1.2
 * on, the breakpoint hits, and the guest's handler gets the #DB, as on KVM.
 */
class DebugRegistersTest {
    private static final int DEBUG = 1;
    /**
     * The handler, at 0x2000: xor eax,eax; mov dr7,eax; mov al,0xee; out 0x80,al; hlt. It disarms
     * the breakpoints before halting because QEMU's emulated SVM (the kvm-in-qemu stage) keeps a
     * guest's breakpoints armed in its vCPU after that guest's VM is gone, where they hit the code of
     * later tests' guests; a {@code mov} to DR7 by the guest itself removes them.
     */
    private static final byte[] HANDLER = {0x66, 0x31, (byte) 0xc0, 0x0f, 0x23, (byte) 0xf8,
        (byte) 0xb0, (byte) 0xee, (byte) 0xe6, (byte) 0x80, (byte) 0xf4};

    @Test
    @KvmGuest(asm = """
                mov $target, %eax
                mov %eax, %dr0
                mov $0x1, %eax          # DR7.L0, breakpoint 0 on execution
                mov %eax, %dr7
            target:
                hlt
            """)
    void anInstructionBreakpointOnTheNextInstruction(KvmVm vm) throws IOException {
        installDebugHandler(vm);
        List<Path> crashReportsBefore = crashReportsHere();

        GuestRun run = vm.run();

        if (vm.backend() == Backend.KVM || LoadedUnicorn.isAtLeast(2, 1, 2)) {
            assertThat(run).exits().containsExactly(VmExit.ioOut(0x80, 0xee), VmExit.hlt());
        } else {
            // Unicorn 2.0.1 flushes its translations when the breakpoint is inserted, zeroing the
            // code it is running, and the worker's JVM dies of a SIGSEGV in that code.
            assertThat(run).stoppedWith(ExitReason.EMULATOR_FAULT);
            assertThat(run.lastExit().detail())
                    .contains("emulator worker process died", "its JVM's crash report began:", "SIGSEGV",
                            "Problematic frame:")
                    .doesNotContain("error report file");
            assertThat(crashReportsHere()).as("crash reports in the working directory")
                    .containsExactlyInAnyOrderElementsOf(crashReportsBefore);
        }
    }

    @Test
    @KvmGuest(asm = """
                mov $0x8000, %sp
                pushf
                pop %ax
                or $0x100, %ax          # EFLAGS.TF
                push %ax
                popf
                nop                     # the trap comes after the instruction that follows POPF
                hlt
            """)
    void aSingleStepTrap(KvmVm vm) {
        installDebugHandler(vm);

        GuestRun run = vm.run();

        assertThat(run).exits().containsExactly(VmExit.ioOut(0x80, 0xee), VmExit.hlt());
    }

    @Test
    @KvmGuest(asm = """
                mov $0x3000, %eax
                mov %eax, %dr0
                mov $0x10001, %eax      # DR7.L0, breakpoint 0 on 1-byte data writes
                mov %eax, %dr7
                movb $1, 0x3000
                hlt
            """)
    void aDataBreakpoint(KvmVm vm) {
        installDebugHandler(vm);

        GuestRun run = vm.run();

        if (vm.backend() == Backend.KVM) {
            assertThat(run).exits().containsExactly(VmExit.ioOut(0x80, 0xee), VmExit.hlt());
        } else {
            assertThat(run).haltedNormally();
            assertThat(run).exits().containsExactly(VmExit.hlt());
        }
        assertThat(vm.memory().read(0x3000, 1)).as("the write took place").containsExactly(1);
    }

    /** Points the #DB vector of the real-mode interrupt vector table at {@link #HANDLER}, at 0000:2000. */
    private static void installDebugHandler(KvmVm vm) {
        vm.memory().write(0x2000, HANDLER);
        vm.memory().writeShort(DEBUG * 4L, 0x2000);
        vm.memory().writeShort(DEBUG * 4L + 2, 0);
    }

    private static List<Path> crashReportsHere() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(""))) {
            return files.filter(file -> file.getFileName().toString().startsWith("hs_err_pid")).toList();
        }
    }
}

package io.github.junitkvm.integration;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.GuestMemory;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * A closed VM on a real backend: closing twice, or after a failed run, is harmless, and every use
 * afterwards — of the VM, of a memory view taken before, of a run's memory — is an
 * {@link IllegalStateException}, never an access to released native memory.
 */
class UseAfterCloseTest {
    @Test
    @KvmGuest(code = "b0 2a e6 80 f4")  // mov al,42; out 0x80,al; hlt
    void everyUseOfAClosedVmIsAnIllegalStateException(KvmVm vm) {
        GuestMemory memory = vm.memory();
        GuestRun run = vm.run();

        vm.close();
        vm.close();

        Map<String, ThrowingCallable> uses = Map.of(
                "run", vm::run,
                "memory", vm::memory,
                "registers", vm::registers,
                "setRegisters", () -> vm.setRegisters(run.registers()),
                "specialRegisters", vm::specialRegisters,
                "onPortIn", () -> vm.onPortIn(0x60, (port, size) -> 0),
                "a memory view taken before", () -> memory.readByte(0x1000),
                "a write through it", () -> memory.writeByte(0x1000, (byte) 0),
                "the run's memory", () -> run.memory().read(0x1000, 1));
        uses.forEach((use, call) -> assertThatIllegalStateException().as(use).isThrownBy(call)
                .withMessageContaining("closed"));
        assertThat(run).as("what the run recorded stays readable").haltedNormally().registers().hasRax(42);
    }

    @Test
    @KvmGuest(code = "b0 2a e6 80 f4")
    void closingAfterAFailedRunIsSafe(KvmVm vm) {
        vm.onPortOut(0x80, (port, size, value) -> {
            throw new IllegalStateException("the handler refuses " + value);
        });

        assertThatThrownBy(vm::run).hasMessage("the handler refuses 42");

        assertThatCode(() -> {
            vm.close();
            vm.close();
        }).doesNotThrowAnyException();
    }
}

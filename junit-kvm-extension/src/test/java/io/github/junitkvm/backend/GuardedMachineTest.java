package io.github.junitkvm.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.github.junitkvm.GeneralRegisters;
import io.github.junitkvm.InstructionTrace;
import io.github.junitkvm.SpecialRegisters;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The thread rules every backend's machine gets from {@link GuardedMachine}, against a fake machine. */
@Timeout(1)
class GuardedMachineTest {
    private final FakeMachine fake = new FakeMachine();
    private final VirtualMachine machine = new GuardedMachine(fake, 200);

    @Test
    void aListenerMayCallTheMachineButNotRunItAgain() {
        fake.duringRun = listener -> {
            machine.registers();
            assertThatIllegalStateException().isThrownBy(() -> machine.run(Set.of(), null))
                    .withMessage("run() was called from an exit listener while the machine runs");
            assertThatIllegalStateException().isThrownBy(machine::reset)
                    .withMessage("reset() was called from an exit listener while the machine runs");
        };

        assertThat(machine.run(Set.of(), null)).isEqualTo(StopCause.hlt());
        assertThat(fake.calls).containsExactly("run", "registers", "run returns");
    }

    @Test
    void aCloseFromAListenerStopsTheRunAndReleasesTheMachineOnlyAfterTheRunReturns() {
        fake.duringRun = listener -> {
            machine.close();
            assertThat(fake.calls).doesNotContain("close");
        };

        machine.run(Set.of(), null);

        assertThat(fake.calls).containsExactly("run", "requestStop", "run returns", "close");
        assertThatIllegalStateException().isThrownBy(machine::registers).withMessage("this machine is closed");
    }

    @Test
    void aCloseFromAnotherThreadWaitsForTheRunToReturnThenReleases() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch stop = new CountDownLatch(1);
        fake.duringRun = listener -> {
            running.countDown();
            await(stop);
        };
        fake.onStop = stop::countDown;
        CompletableFuture<StopCause> run = CompletableFuture.supplyAsync(() -> machine.run(Set.of(), null));
        await(running);

        machine.close();

        assertThat(run.get(1, TimeUnit.SECONDS)).isEqualTo(StopCause.hlt());
        assertThat(fake.calls).containsExactly("run", "requestStop", "run returns", "close");
    }

    @Test
    void aCloseReturnsWhenTheRunsListenerIsStuckAndTheRunReleasesWhenItReturns() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch unstick = new CountDownLatch(1);
        fake.duringRun = listener -> {
            running.countDown();
            await(unstick);
        };
        CompletableFuture<StopCause> run = CompletableFuture.supplyAsync(() -> machine.run(Set.of(), null));
        await(running);

        machine.close();
        assertThat(fake.calls).containsExactly("run", "requestStop");

        unstick.countDown();
        run.get(1, TimeUnit.SECONDS);
        assertThat(fake.calls).containsExactly("run", "requestStop", "run returns", "close");
    }

    @Test
    void closeIsIdempotentAndEveryOtherCallIsRefusedAfterIt() {
        machine.close();
        machine.close();

        assertThat(fake.calls).containsExactly("requestStop", "close", "requestStop");
        assertThatIllegalStateException().isThrownBy(() -> machine.readMemory(0, 1));
        assertThatIllegalStateException().isThrownBy(() -> machine.run(Set.of(), null));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records its calls; its run calls {@link #duringRun} as a listener would be called. */
    private static final class FakeMachine implements VirtualMachine {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        Consumer<ExitListener> duringRun = listener -> { };
        Runnable onStop = () -> { };

        @Override
        public byte[] readMemory(long address, int length) {
            calls.add("readMemory");
            return new byte[length];
        }

        @Override
        public void writeMemory(long address, byte[] data) {
            calls.add("writeMemory");
        }

        @Override
        public GeneralRegisters registers(int vcpu) {
            calls.add("registers");
            return GeneralRegisters.initial();
        }

        @Override
        public void setRegisters(int vcpu, GeneralRegisters registers) {
            calls.add("setRegisters");
        }

        @Override
        public SpecialRegisters specialRegisters(int vcpu) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setSpecialRegisters(int vcpu, SpecialRegisters registers) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<StopCause> runAll(Set<Integer> stopPorts, List<ExitListener> listeners) {
            calls.add("run");
            duringRun.accept(listeners.get(0));
            calls.add("run returns");
            return List.of(StopCause.hlt());
        }

        @Override
        public InstructionTrace lastRunTrace() {
            return InstructionTrace.empty();
        }

        @Override
        public void reset() {
            calls.add("reset");
        }

        @Override
        public void setInterruptRequest(int vcpu, boolean asserted) {
            calls.add("setInterruptRequest " + vcpu + " " + asserted);
        }

        @Override
        public void raiseNmi(int vcpu) {
            calls.add("raiseNmi " + vcpu);
        }

        @Override
        public void requestStop() {
            calls.add("requestStop");
            onStop.run();
        }

        @Override
        public void close() {
            calls.add("close");
        }
    }
}

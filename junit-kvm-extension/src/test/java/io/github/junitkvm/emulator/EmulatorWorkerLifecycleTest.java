package io.github.junitkvm.emulator;

import static io.github.junitkvm.testsupport.RecordingListener.outEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.junitkvm.backend.StopCause;
import io.github.junitkvm.backend.StopCause.Kind;
import io.github.junitkvm.backend.VirtualMachine;
import io.github.junitkvm.testsupport.ProcessFootprint;
import io.github.junitkvm.testsupport.RecordingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Stops, deaths, closes and reuse of worker processes, with real Unicorn. */
class EmulatorWorkerLifecycleTest {
    /** jmp $ */
    private static final String SPIN = "eb fe";

    private static EmulatorHypervisor hypervisor;

    @BeforeAll
    static void open() {
        hypervisor = EmulatorHypervisor.open();
    }

    @AfterAll
    static void close() {
        hypervisor.close();
    }

    @Test
    void survivesAGuestThatAbortsUnicornAndReportsItsLastWords() {
        assumeTrue(hypervisor.unicornVersion().startsWith("2.0."), "only libunicorn 2.0 aborts on ff d9");
        try (VirtualMachine machine = Guests.load(hypervisor, "ff d9 f4")) {
            StopCause cause = machine.run(Set.of(), new RecordingListener());

            assertThat(cause.kind()).isEqualTo(Kind.EMULATOR_FAULT);
            assertThat(cause.value()).isEqualTo(-1);
            assertThat(cause.detail()).contains("emulator worker process died", "SIGABRT", "tcg fatal error");
            assertThatThrownBy(machine::registers).isInstanceOf(IllegalStateException.class)
                    .hasMessage(cause.detail());
        }
        try (VirtualMachine next = Guests.load(hypervisor, Guests.CLASSIC, 2, 2, 0)) {
            RecordingListener listener = new RecordingListener();
            assertThat(next.run(Set.of(), listener)).isEqualTo(StopCause.hlt());
            assertThat(listener.events).containsExactly(outEvent(0x3f8, 1, '4'), outEvent(0x3f8, 1, '\n'));
        }
    }

    @Test
    void stopsAtAnInvalidInstructionThatLibunicorn20AbortsOn() {
        assumeTrue(!hypervisor.unicornVersion().startsWith("2.0."), "libunicorn 2.0 aborts on ff d9");
        try (VirtualMachine machine = Guests.load(hypervisor, "ff d9 f4")) {
            RecordingListener listener = new RecordingListener();
            StopCause cause = machine.run(Set.of(), listener);

            // Later versions raise #UD, delivered through an IVT this machine has no RAM for: the
            // CPU reads the entry from MMIO (0000:0000, from the listener), and the handler's fetch
            // from outside RAM stops the run as on KVM.
            assertThat(listener.events).contains(RecordingListener.mmioReadEvent(0x18, 4));
            assertThat(cause.kind()).isEqualTo(Kind.INTERNAL_ERROR);
            assertThat(machine.registers().rip()).as("the worker lives on, at the handler").isZero();
        }
    }

    @Test
    void stopsASpinningGuestWhenAnotherThreadAsks() throws Exception {
        try (VirtualMachine machine = Guests.load(hypervisor, SPIN)) {
            CompletableFuture<StopCause> run = CompletableFuture.supplyAsync(
                    () -> machine.run(Set.of(), new RecordingListener()));
            Thread.sleep(200);
            long asked = System.nanoTime();

            machine.requestStop();

            assertThat(run.get(5, TimeUnit.SECONDS)).isEqualTo(StopCause.stopRequested());
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(Duration.ofSeconds(1));
            assertThat(machine.registers().rip()).isEqualTo(0x1000);
        }
    }

    @Test
    void stopsAGuestWaitingForAPortReadAnswer() throws Exception {
        // L: in al,0x60; jmp L
        try (VirtualMachine machine = Guests.load(hypervisor, "e4 60 eb fc")) {
            CompletableFuture<StopCause> run = CompletableFuture.supplyAsync(() -> machine.run(Set.of(),
                    new RecordingListener(() -> {
                        machine.requestStop();
                        return 1;
                    })));

            assertThat(run.get(5, TimeUnit.SECONDS)).isEqualTo(StopCause.stopRequested());
        }
    }

    @Test
    void ignoresAStopRequestedBeforeTheRun() {
        try (VirtualMachine machine = Guests.load(hypervisor, Guests.CLASSIC, 2, 2, 0)) {
            machine.requestStop();

            assertThat(machine.run(Set.of(), new RecordingListener())).isEqualTo(StopCause.hlt());
        }
    }

    @Test
    void doesNotLetAStopLeakIntoTheNextRun() throws Exception {
        try (VirtualMachine machine = Guests.load(hypervisor, SPIN + " f4")) {
            CompletableFuture<StopCause> run = CompletableFuture.supplyAsync(
                    () -> machine.run(Set.of(), new RecordingListener()));
            Thread.sleep(100);
            machine.requestStop();
            assertThat(run.get(5, TimeUnit.SECONDS)).isEqualTo(StopCause.stopRequested());
            machine.requestStop();

            machine.setRegisters(machine.registers().withRip(0x1002));
            assertThat(machine.run(Set.of(), new RecordingListener())).isEqualTo(StopCause.hlt());
        }
    }

    @Test
    void reportsAWorkerKilledMidRun() throws Exception {
        VirtualMachine machine = Guests.load(hypervisor, SPIN);
        long pid = Guests.workerPid(machine);
        CompletableFuture<StopCause> run = CompletableFuture.supplyAsync(
                () -> machine.run(Set.of(), new RecordingListener()));
        Thread.sleep(200);

        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        StopCause cause = run.get(10, TimeUnit.SECONDS);
        assertThat(cause.kind()).isEqualTo(Kind.EMULATOR_FAULT);
        assertThat(cause.detail()).contains("emulator worker process died", "exit code 137", "SIGKILL");
        assertThatThrownBy(() -> machine.readMemory(0x1000, 1)).isInstanceOf(IllegalStateException.class)
                .hasMessage(cause.detail());
        machine.close();
        machine.close();
    }

    @Test
    @Tag("long")
    void failsACallToAStoppedWorkerAtItsDeadlineInsteadOfWaitingForever() throws Exception {
        VirtualMachine machine = Guests.load(hypervisor, SPIN);
        long pid = Guests.workerPid(machine);
        assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor()).isZero();

        CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(() -> machine.readMemory(0x1000, 1));

        assertThat(read).failsWithin(2, TimeUnit.MINUTES).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOf(IllegalStateException.class)
                .withMessageContaining("it was killed because it did not answer ReadMemory[address=4096, length=1]"
                        + " within 30 s");
        machine.close();
    }

    @Test
    void closesFromAnotherThreadWhileRunning() throws Exception {
        VirtualMachine machine = Guests.load(hypervisor, SPIN);
        CompletableFuture<StopCause> run = CompletableFuture.supplyAsync(
                () -> machine.run(Set.of(), new RecordingListener()));
        Thread.sleep(100);

        machine.close();

        assertThat(run.get(5, TimeUnit.SECONDS)).isEqualTo(StopCause.stopRequested());
        assertThatThrownBy(machine::registers).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void refusesUseAfterCloseButClosesTwice() {
        VirtualMachine machine = Guests.load(hypervisor, "f4");
        machine.close();
        machine.close();
        machine.requestStop();

        assertThatThrownBy(() -> machine.run(Set.of(), new RecordingListener()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> machine.writeMemory(0x1000, new byte[1])).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(machine::specialRegisters).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void keepsWorkersAndFileDescriptorsBoundedOver300Machines() {
        cycle();
        long workers = workerCount();
        long descriptors = ProcessFootprint.countOpenFileDescriptors();
        long start = System.nanoTime();

        for (int i = 0; i < 300; i++) {
            cycle();
        }

        Duration each = Duration.ofNanos((System.nanoTime() - start) / 300);
        System.err.println("one create/run/close of the classic program through the worker: " + each.toNanos() / 1000 + " us");
        assertThat(workerCount()).isLessThanOrEqualTo(workers);
        assertThat(ProcessFootprint.countOpenFileDescriptors()).isLessThanOrEqualTo(descriptors + 2);
    }

    @Test
    void servesMachinesOnParallelThreads() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Void>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                runs.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 25; i++) {
                        cycle();
                    }
                }, threads));
            }

            CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } finally {
            threads.shutdown();
        }

        assertThat(workerCount()).isLessThanOrEqualTo(4);
    }

    private static void cycle() {
        try (VirtualMachine machine = Guests.load(hypervisor, Guests.CLASSIC, 2, 2, 0)) {
            assertThat(machine.run(Set.of(), new RecordingListener())).isEqualTo(StopCause.hlt());
        }
    }

    private static long workerCount() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
    }

}

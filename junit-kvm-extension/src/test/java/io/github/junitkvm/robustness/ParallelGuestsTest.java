package io.github.junitkvm.robustness;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.testsupport.SelectedHypervisor;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * JUnit's parallel execution with four times as many guests running at once as the machine has
 * cores, with the configuration the guide gives users: every test sees only its own memory,
 * registers and output, and nothing deadlocks.
 */
@Tag("long")
@ExtendWith(SelectedHypervisor.class)
class ParallelGuestsTest {
    static final int CONCURRENT_VMS = 4 * Runtime.getRuntime().availableProcessors();
    private static final int TESTS = 8 * CONCURRENT_VMS;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void everyConcurrentTestSeesOnlyItsOwnGuest(Hypervisor hypervisor) {
        Guests.reset();

        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junitkvm.backend", hypervisor.backend().name().toLowerCase(Locale.ROOT))
                .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
                .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
                .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
                .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism",
                        Integer.toString(CONCURRENT_VMS))
                .configurationParameter("junit.jupiter.execution.parallel.config.fixed.max-pool-size",
                        Integer.toString(CONCURRENT_VMS))
                .selectors(selectClass(Guests.class))
                .execute();

        results.testEvents().assertStatistics(stats -> stats.started(TESTS).succeeded(TESTS).failed(0));
        assertThat(Guests.mostAtOnce).as("VMs created, not yet closed, at the same time").hasValue(CONCURRENT_VMS);
    }

    /**
     * The tests run in parallel. The first ones wait, with their VM open, until {@code CONCURRENT_VMS}
     * VMs are open at once (or ten seconds have passed, which the count then shows); the rest just run.
     */
    @Tag("fixture")
    @Execution(ExecutionMode.CONCURRENT)
    static class Guests {
        private static CountDownLatch allOpen;
        private static final AtomicInteger open = new AtomicInteger();
        private static final AtomicInteger mostAtOnce = new AtomicInteger();

        static void reset() {
            allOpen = new CountDownLatch(1);
            open.set(0);
            mostAtOnce.set(0);
        }

        static IntStream tests() {
            return IntStream.range(0, TESTS);
        }

        @ParameterizedTest
        @MethodSource("tests")
        // mov al,bl; mov dx,0x3f8; out dx,al; mov ax,[0x2000]; mov [0x3000],ax; hlt
        @KvmGuest(code = "88 d8 ba f8 03 ee a1 00 20 a3 00 30 f4")
        void printsItsRegisterAndCopiesItsMemory(int test, KvmVm vm) throws Exception {
            char letter = (char) ('A' + test % 26);
            vm.setRegisters(vm.registers().withRbx(letter));
            vm.memory().writeShort(0x2000, (short) (0x4000 + test));
            if (mostAtOnce.accumulateAndGet(open.incrementAndGet(), Math::max) == CONCURRENT_VMS) {
                allOpen.countDown();
            }
            try {
                allOpen.await(10, TimeUnit.SECONDS);
                GuestRun run = vm.run();

                assertThat(run).haltedNormally().hasSerialOutput(String.valueOf(letter));
                assertThat(run).registers().hasRbx(letter);
                assertThat(run.memory().readShort(0x3000)).isEqualTo((short) (0x4000 + test));
            } finally {
                open.decrementAndGet();
            }
        }
    }
}

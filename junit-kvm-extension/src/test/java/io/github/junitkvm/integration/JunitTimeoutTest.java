package io.github.junitkvm.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import io.github.junitkvm.testsupport.FixtureRuns;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * JUnit's own timeout, however it is configured, bounds the guest's run as well as the test's body:
 * the run the extension makes for a {@code GuestRun} parameter, and a run the body makes. A guest
 * spinning past it fails its test with JUnit's {@link TimeoutException}, long before its own
 * {@code timeoutMillis} of 60 s.
 */
class JunitTimeoutTest {
    private static final String SPIN = "eb fe";  // jmp $
    private static final String GUEST_RUN = "io.github.junitkvm.GuestRun";

    @ParameterizedTest(name = "{1}: {3}")
    @CsvSource(delimiter = '|', textBlock = """
            Fixture               | onTheMethod          | GUEST_RUN     |
            Fixture               | inASeparateThread    | GUEST_RUN     |
            Fixture               | byDefault            | GUEST_RUN     | junit.jupiter.execution.timeout.test.method.default
            Fixture               | forEveryTestByDefault| int,GUEST_RUN | junit.jupiter.execution.timeout.default
            Fixture               | aRunOfTheBody        | io.github.junitkvm.KvmVm |
            ClassTimeoutFixture   | onTheClass           | GUEST_RUN     |
            BeforeEachFixture     | test                 |               |
            """)
    void stopsTheGuestAndFailsTheTest(String fixture, String method, String parameterTypes, String defaultTimeout)
            throws ClassNotFoundException {
        Class<?> fixtureClass = Class.forName(JunitTimeoutTest.class.getName() + "$" + fixture);
        Map<String, String> configuration = defaultTimeout == null ? Map.of() : Map.of(defaultTimeout, "500 ms");
        long start = System.nanoTime();

        Throwable failure = FixtureRuns.failureOf(fixtureClass, method,
                parameterTypes == null ? "" : parameterTypes.replace("GUEST_RUN", GUEST_RUN), configuration);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the guest's own limit is 60 s")
                .isLessThan(Duration.ofSeconds(30));
        assertThat(failure).isInstanceOf(TimeoutException.class).hasMessageContaining("timed out after 500 milliseconds");
    }

    /** Run by {@link #stopsTheGuestAndFailsTheTest} only, one method at a time. */
    @Tag("fixture")
    static class Fixture {
        @Test
        @Timeout(value = 500, unit = TimeUnit.MILLISECONDS)
        @KvmGuest(code = SPIN, timeoutMillis = 60_000)
        void onTheMethod(GuestRun run) {
        }

        @Test
        @Timeout(value = 500, unit = TimeUnit.MILLISECONDS, threadMode = ThreadMode.SEPARATE_THREAD)
        @KvmGuest(code = SPIN, timeoutMillis = 60_000)
        void inASeparateThread(GuestRun run) {
        }

        @Test
        @KvmGuest(code = SPIN, timeoutMillis = 60_000)
        void byDefault(GuestRun run) {
        }

        @ParameterizedTest
        @ValueSource(ints = 1)
        @KvmGuest(code = SPIN, timeoutMillis = 60_000)
        void forEveryTestByDefault(int argument, GuestRun run) {
        }

        @Test
        @Timeout(value = 500, unit = TimeUnit.MILLISECONDS)
        @KvmGuest(code = SPIN, timeoutMillis = 60_000)
        void aRunOfTheBody(KvmVm vm) {
            vm.run();
        }
    }

    /** Run by {@link #stopsTheGuestAndFailsTheTest} only. */
    @Tag("fixture")
    @Timeout(value = 500, unit = TimeUnit.MILLISECONDS)
    static class ClassTimeoutFixture {
        @Test
        @KvmGuest(code = SPIN, timeoutMillis = 60_000)
        void onTheClass(GuestRun run) {
        }
    }

    /** Run by {@link #stopsTheGuestAndFailsTheTest} only: the run is made for the {@code @BeforeEach} method. */
    @Tag("fixture")
    @KvmGuest(code = SPIN, timeoutMillis = 60_000)
    static class BeforeEachFixture {
        @BeforeEach
        @Timeout(value = 500, unit = TimeUnit.MILLISECONDS)
        void setUp(GuestRun run) {
        }

        @Test
        void test() {
        }
    }
}

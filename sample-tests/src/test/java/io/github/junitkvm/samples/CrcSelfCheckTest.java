package io.github.junitkvm.samples;

import static io.github.junitkvm.KvmAssertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmVm;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * A guest that checks itself: {@code src/test/c/selfcheck.c} computes the CRC-32 of the buffer the
 * test wrote and compares it, inside the guest, with the value the test expects, using the
 * assertions of junit-kvm's guest library ({@code KVM_ASSERT_EQ}, {@code KVM_LOG},
 * {@code KVM_DONE} from {@code junitkvm.h}).
 *
 * <p>What to learn: the guest includes {@code junitkvm.h}, which the build extracts from the
 * extension's jar ({@code io.github.junitkvm.GuestLibrary}, run by exec-maven-plugin before
 * {@code build.sh}); the test then only asserts that the guest reported done, and a failed check in
 * the guest fails the JUnit test with the guest's file, line, expression and both values — the
 * second test shows the message, running a deliberately wrong expectation through JUnit's
 * {@code EngineTestKit}.
 */
class CrcSelfCheckTest {
    /** {@code struct check} in selfcheck.c: the length, then the expected CRC. */
    private static final long CHECK = 0x8000;
    private static final long BUFFER = 0x10000;

    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("buffers")
    @KvmGuest(mode = CpuMode.PROTECTED, resource = "/guests/crc32-check-32.elf")
    void the32BitGuestChecksItsOwnResult(int length, byte[] data, KvmVm vm) {
        assertTheGuestAgrees(data, vm);
    }

    @ParameterizedTest(name = "{0} bytes")
    @MethodSource("buffers")
    @KvmGuest(mode = CpuMode.LONG, resource = "/guests/crc32-check-64.elf")
    void the64BitGuestChecksItsOwnResult(int length, byte[] data, KvmVm vm) {
        assertTheGuestAgrees(data, vm);
    }

    private static void assertTheGuestAgrees(byte[] data, KvmVm vm) {
        GuestRun run = check(vm, data, crc32(data));

        assertThat(run).reportedDone();
        assertThat(run).guestLog().containsExactly(String.format("crc32 of %d bytes: %08x", data.length, crc32(data)));
    }

    @Test
    void aFailedCheckInTheGuestFailsTheTestWithItsLineAndValues() {
        Events events = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junitkvm.backend", System.getProperty("junitkvm.backend", "auto"))
                .selectors(selectMethod(WrongExpectation.class, "expectsTheWrongCrc", KvmVm.class.getName()))
                .execute().allEvents();

        assertThat(events.failed().count()).isEqualTo(1);
        Throwable failure = events.failed().stream().findFirst().orElseThrow()
                .getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
        assertThat(failure).isInstanceOf(org.opentest4j.AssertionFailedError.class)
                .hasMessageStartingWith(String.format("""
                        guest assertion failed at selfcheck.c:%d: KVM_ASSERT_EQ(crc, CHECK->expected)
                          crc             = 0xcbf43926 (3421780262)
                          CHECK->expected = 0x12345678 (305419896)
                        """, lineOf("KVM_ASSERT_EQ(crc, CHECK->expected)")))
                .hasMessageContaining("guest log:\n  crc32 of 9 bytes: cbf43926\n");
    }

    /** Run by {@link #aFailedCheckInTheGuestFailsTheTestWithItsLineAndValues} only. */
    @Tag("fixture")
    static class WrongExpectation {
        @Test
        @KvmGuest(mode = CpuMode.LONG, resource = "/guests/crc32-check-64.elf")
        void expectsTheWrongCrc(KvmVm vm) {
            check(vm, "123456789".getBytes(StandardCharsets.US_ASCII), 0x12345678);
        }
    }

    private static GuestRun check(KvmVm vm, byte[] data, long expected) {
        vm.memory().write(BUFFER, data);
        vm.memory().writeInt(CHECK, data.length);
        vm.memory().writeInt(CHECK + 4, (int) expected);
        return vm.run();
    }

    static Stream<Arguments> buffers() {
        return Stream.of(new byte[0], "123456789".getBytes(StandardCharsets.US_ASCII), new byte[4096])
                .map(data -> Arguments.of(data.length, data));
    }

    private static long crc32(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }

    /** @return the line of selfcheck.c (which the build copies next to the guests) holding the text */
    private static int lineOf(String text) {
        try (InputStream in = CrcSelfCheckTest.class.getResourceAsStream("/guests/selfcheck.c")) {
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            return 1 + IntStream.range(0, lines.size()).filter(i -> lines.get(i).contains(text)).findFirst()
                    .orElseThrow();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /guests/selfcheck.c", e);
        }
    }
}

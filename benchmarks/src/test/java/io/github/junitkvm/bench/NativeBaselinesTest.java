package io.github.junitkvm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.Memory;
import io.github.junitkvm.bench.fixture.Guests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The C baselines and the QEMU firmware, built by their build script as tools/bench builds them. */
class NativeBaselinesTest {
    private static final Duration SHORT = Duration.ofMillis(20);

    @TempDir
    static Path built;

    @BeforeAll
    static void build() throws Exception {
        Process build = new ProcessBuilder("sh", "src/main/c/build.sh", built.toString()).redirectErrorStream(true)
                .start();
        String output = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(build.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(build.exitValue()).as("build.sh (needs gcc, binutils, libunicorn-dev): %s", output).isZero();
    }

    @Test
    void theUnicornLoopRunsTheTwoPlusTwoGuestAndChecksIt() throws Exception {
        NativeBaseline program = new NativeBaseline(built.resolve("unicorn_loop"));
        BaselineOutput output = program.run("lifecycle", 3, Guests.twoPlusTwo(), -1);
        assertThat(output.serial()).isEqualTo("4\n");
        assertThat(output.number("exits")).isEqualTo(3);
        assertThat(output.number("count")).isEqualTo(3);
        assertThat(new NativeWorkloads(program).lifecycle(Guests.twoPlusTwo(), SHORT).measure()).isPositive();
    }

    @Test
    void thePipeLoopPassesTheWorkersRequestAndReplyBetweenTwoProcesses() throws Exception {
        NativeBaseline program = new NativeBaseline(built.resolve("pipe_loop"));
        BaselineOutput output = program.run("5", Integer.toString(PipeRoundTrips.REQUEST_BYTES),
                Integer.toString(PipeRoundTrips.REPLY_BYTES));
        assertThat(output.number("count")).isEqualTo(5);
        assertThat(output.number("ns")).isPositive();
        assertThat(new PipeRoundTrips(program).round(SHORT).measure()).isPositive();
        assertThatThrownBy(() -> program.run("5", "0", "1")).isInstanceOf(IOException.class)
                .hasMessageContaining("pipe_loop 5 0 failed (exit 1): error: COUNT, REQUEST_BYTES and REPLY_BYTES");
    }

    @Test
    void theUnicornLoopReusesOneEngineForEveryRun() throws Exception {
        NativeBaseline program = new NativeBaseline(built.resolve("unicorn_loop"));
        BaselineOutput output = program.run("reset", 3, Guests.twoPlusTwo(), -1);
        assertThat(output.serial()).isEqualTo("4\n");
        assertThat(output.number("exits")).isEqualTo(3);
        assertThat(new NativeWorkloads(program).reset(Guests.twoPlusTwo(), SHORT).measure()).isPositive();
    }

    @Test
    void theUnicornLoopCountsEveryExitOfTheOutLoop() throws Exception {
        NativeBaseline program = new NativeBaseline(built.resolve("unicorn_loop"));
        assertThat(program.run("exits", 1, Guests.outLoop(), 70_000).number("exits")).isEqualTo(70_001);
        assertThat(new NativeWorkloads(program).exits(Guests.outLoop(), SHORT).measure()).isPositive();
    }

    @Test
    void theUnicornLoopMeasuresMemoryPerLiveEngine() throws Exception {
        NativeBaseline program = new NativeBaseline(built.resolve("unicorn_loop"));
        // A Unicorn engine holds its own TCG state: far more than a page.
        assertThat(new NativeWorkloads(program).memory(Guests.twoPlusTwo(), 4).measure()).isGreaterThan(100);
    }

    @Test
    void aGuestThatFaultsFailsTheBaselineWithTheReason() {
        NativeBaseline program = new NativeBaseline(built.resolve("unicorn_loop"));
        KvmGuest ud2 = Ud2.class.getAnnotation(KvmGuest.class);
        assertThatThrownBy(() -> program.run("lifecycle", 1, ud2, -1)).isInstanceOf(IOException.class)
                .hasMessageContaining("unicorn_loop lifecycle 1 failed (exit 1): error: uc_emu_start:"
                        + " Invalid instruction");
    }

    @KvmGuest(memory = @Memory(guestAddress = 0x1000, size = 0x1000), code = "0f 0b")
    private static final class Ud2 {
    }

    @Test
    @Tag("kvm")
    void theKvmLoopRunsTheTwoPlusTwoGuestAndTheOutLoop() throws Exception {
        NativeBaseline program = new NativeBaseline(built.resolve("kvm_loop"));
        BaselineOutput output = program.run("lifecycle", 2, Guests.twoPlusTwo(), -1);
        assertThat(output.serial()).isEqualTo("4\n");
        assertThat(output.number("exits")).isEqualTo(3);
        assertThat(program.run("reset", 3, Guests.twoPlusTwo(), -1).serial()).isEqualTo("4\n");
        assertThat(program.run("exits", 1, Guests.outLoop(), 1000).number("exits")).isEqualTo(1001);
        assertThat(new NativeWorkloads(program).memory(Guests.twoPlusTwo(), 4).measure()).isPositive();
    }

    @Test
    void theQemuFirmwarePrintsTheSumAndLeavesThroughDebugExit() throws Exception {
        QemuBaseline qemu = new QemuBaseline(built.resolve("qemu_firmware.bin"), "tcg");
        assertThat(qemu.runOnce()).isPositive();
        assertThat(qemu.command()).contains("pc,accel=tcg", "isa-debug-exit,iobase=0xf4,iosize=0x04");
    }

    @Test
    void aMissingProgramSaysWhoBuildsIt() {
        assertThatThrownBy(() -> new NativeBaseline(built.resolve("nothing")))
                .hasMessageEndingWith("is missing: tools/bench compiles the C baselines (gcc, and libunicorn-dev for"
                        + " the emulator's)");
        assertThatThrownBy(() -> new QemuBaseline(built.resolve("nothing.bin"), "tcg"))
                .hasMessageEndingWith("is missing: tools/bench assembles the QEMU firmware");
    }
}

package io.github.junitkvm.robustness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.ExitReason;
import io.github.junitkvm.GuestRun;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.guest.GuestSpec;
import io.github.junitkvm.guest.GuestSpecReader;
import io.github.junitkvm.guest.GuestVm;
import io.github.junitkvm.guest.ImageSegment;
import io.github.junitkvm.testsupport.AnnotationInstances;
import io.github.junitkvm.testsupport.DisabledOnPvm;
import io.github.junitkvm.testsupport.SelectedHypervisor;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs random code in every CPU mode, a fresh VM per blob: whatever the bytes do, the run ends with
 * an exit reason and its registers can be read, and the JVM survives. The number of blobs per mode is
 * the system property {@code junitkvm.fuzz.runs} (10,000 by default); the seed is
 * {@code junitkvm.fuzz.seed} (random by default, printed with any failure so that it can be replayed).
 */
@Tag("long")
@Timeout(value = 30, unit = TimeUnit.MINUTES)
@ExtendWith(SelectedHypervisor.class)
class RandomCodeFuzzTest {
    private static final int RUNS = Integer.getInteger("junitkvm.fuzz.runs", 5_000);
    private static final long SEED = Long.getLong("junitkvm.fuzz.seed", System.nanoTime());
    private static final int LONGEST_BLOB = 64;
    private static final long LOAD_ADDRESS = 0x1000;
    /** Random jumps mostly land on HLTs placed after the blob, so that most runs end quickly. */
    private static final int HLT_FILL_END = 0x9000;
    /** A blob that loops forever costs this much; with thousands of blobs it must stay short. */
    private static final Duration RUN_LIMIT = Duration.ofMillis(50);
    private static final byte HLT = (byte) 0xf4;

    private final GuestSpecReader reader = new GuestSpecReader(getClass().getClassLoader());

    @Test
    void realModeBlobsAllEndWithAnExitReason(Hypervisor hypervisor, TestReporter reporter) {
        fuzz(hypervisor, CpuMode.REAL, reporter);
    }

    @Test
    void protectedModeBlobsAllEndWithAnExitReason(Hypervisor hypervisor, TestReporter reporter) {
        fuzz(hypervisor, CpuMode.PROTECTED, reporter);
    }

    @Test
    @DisabledOnPvm
    void pagedModeBlobsAllEndWithAnExitReason(Hypervisor hypervisor, TestReporter reporter) {
        fuzz(hypervisor, CpuMode.PAGED, reporter);
    }

    @Test
    void longModeBlobsAllEndWithAnExitReason(Hypervisor hypervisor, TestReporter reporter) {
        fuzz(hypervisor, CpuMode.LONG, reporter);
    }

    private void fuzz(Hypervisor hypervisor, CpuMode mode, TestReporter reporter) {
        GuestSpec base = reader.read(AnnotationInstances.of(KvmGuest.class, Map.of("mode", mode)));
        Map<ExitReason, Integer> stops = new EnumMap<>(ExitReason.class);
        for (int i = 0; i < RUNS; i++) {
            byte[] blob = blob(new SplittableRandom(SEED + i));
            GuestSpec spec = base.with(image(blob), RUN_LIMIT);
            try (GuestVm vm = GuestVm.create(hypervisor, spec)) {
                GuestRun run = vm.run();
                assertThat(run.lastExit().reason()).isNotNull();
                assertRegistersReadable(run);
                stops.merge(run.lastExit().reason(), 1, Integer::sum);
            } catch (RuntimeException | AssertionError e) {
                fail(String.format("blob %d of %s mode (seed %d, replay with -Djunitkvm.fuzz.seed=%d): %s",
                        i, base.mode(), SEED + i, SEED, HexFormat.ofDelimiter(" ").formatHex(blob)), e);
            }
        }
        reporter.publishEntry("stops in " + base.mode() + " mode", stops.toString());
        assertThat(stops.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(RUNS);
        assertThat(stops).as("random code stops in more ways than one").hasSizeGreaterThan(1);
    }

    /**
     * Every stop leaves its registers readable, but one: an emulator worker that died (libunicorn
     * aborts on some instructions) took them with it, and saying so is all a run can do.
     */
    private static void assertRegistersReadable(GuestRun run) {
        if (run.lastExit().reason() == ExitReason.EMULATOR_FAULT && run.lastExit().detail().contains("died")) {
            assertThatThrownBy(run::registers).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("emulator worker process died");
        } else {
            assertThat(run.registers()).isNotNull();
        }
    }

    private static byte[] blob(SplittableRandom random) {
        byte[] blob = new byte[1 + random.nextInt(LONGEST_BLOB)];
        random.nextBytes(blob);
        return blob;
    }

    private static List<ImageSegment> image(byte[] blob) {
        byte[] halts = new byte[HLT_FILL_END - (int) LOAD_ADDRESS - blob.length];
        Arrays.fill(halts, HLT);
        return List.of(new ImageSegment(LOAD_ADDRESS, blob), new ImageSegment(LOAD_ADDRESS + blob.length, halts));
    }
}

package io.github.junitkvm.robustness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.junitkvm.CpuMode;
import io.github.junitkvm.KvmGuest;
import io.github.junitkvm.KvmGuestConfigurationException;
import io.github.junitkvm.Memory;
import io.github.junitkvm.Registers;
import io.github.junitkvm.backend.Hypervisor;
import io.github.junitkvm.backend.HypervisorException;
import io.github.junitkvm.guest.GuestSpec;
import io.github.junitkvm.guest.GuestSpecReader;
import io.github.junitkvm.guest.GuestVm;
import io.github.junitkvm.testsupport.AnnotationInstances;
import io.github.junitkvm.testsupport.SelectedHypervisor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Random {@code @KvmGuest} values — hex, RAM regions, load addresses, registers, time limits, and
 * ELF32 and ELF64 images with random bytes, or a whole field, changed — are either read and run, or refused with a
 * {@link KvmGuestConfigurationException} naming the attribute; a value the reader accepts but the
 * backend cannot honour is a {@link HypervisorException} or {@link IllegalArgumentException} with a
 * message. Nothing else may escape: no JNA error, no index or null pointer exception, no crash. The
 * number of configurations is {@code junitkvm.fuzz.configs} (2,000 by default), the seed
 * {@code junitkvm.fuzz.seed}.
 */
@Tag("long")
@ExtendWith(SelectedHypervisor.class)
class ConfigurationFuzzTest {
    private static final int CONFIGS = Integer.getInteger("junitkvm.fuzz.configs", 2_000);
    private static final long SEED = Long.getLong("junitkvm.fuzz.seed", System.nanoTime());
    /** The ELF files the fuzzed resource starts from, the project's test guests: ELF32 and ELF64. */
    private static final List<String> ELFS = List.of("guests/elf32-bss.elf", "guests/reports-64.elf");
    /** Values that header fields such as offsets, counts, addresses and sizes are set to. */
    private static final long[] EXTREMES = {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0x7fff_ffff_ffff_fff8L,
            0xffff_ffffL, 0x8000_0000L, 0x7fff_f000L, 0xffff};
    /** The name under which each configuration's fuzzed image is served. */
    private static final String FUZZED_ELF = "fuzzed.elf";
    private static final String HEX_ALPHABET = "0123456789abcdefABCDEF  \t\ng-x";
    private static final Duration RUN_LIMIT = Duration.ofMillis(100);

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void everyValueIsReadOrRefusedByName(Hypervisor hypervisor) throws IOException {
        List<byte[]> elfs = new ArrayList<>();
        for (String elf : ELFS) {
            try (InputStream in = getClass().getClassLoader().getResourceAsStream(elf)) {
                elfs.add(in.readAllBytes());
            }
        }
        int refused = 0;
        for (int i = 0; i < CONFIGS; i++) {
            SplittableRandom random = new SplittableRandom(SEED + i);
            FuzzedResources resources = new FuzzedResources(mutated(elfs.get(random.nextInt(elfs.size())), random));
            KvmGuest guest = randomGuest(random);
            try {
                GuestSpec spec = new GuestSpecReader(resources).read(guest);
                refused += runOrRefuse(hypervisor, spec) ? 0 : 1;
            } catch (KvmGuestConfigurationException e) {
                assertThat(e.getMessage()).startsWith("@KvmGuest(").doesNotContain("null");
                refused++;
            } catch (RuntimeException | AssertionError e) {
                fail(String.format("configuration %d (seed %d, replay with -Djunitkvm.fuzz.seed=%d): %s",
                        i, SEED + i, SEED, guest), e);
            }
        }
        assertThat(refused).as("refused configurations").isBetween(1, CONFIGS - 1);
    }

    /** @return whether the guest ran; false if the backend refused it with a clear message */
    private static boolean runOrRefuse(Hypervisor hypervisor, GuestSpec spec) {
        GuestSpec quick = spec.with(spec.image(), RUN_LIMIT);
        try (GuestVm vm = GuestVm.create(hypervisor, quick)) {
            assertThat(vm.run().lastExit().reason()).isNotNull();
            return true;
        } catch (HypervisorException | IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
            return false;
        }
    }

    private static KvmGuest randomGuest(SplittableRandom random) {
        Map<String, Object> values = new HashMap<>();
        values.put("mode", CpuMode.values()[random.nextInt(CpuMode.values().length)]);
        if (random.nextInt(3) > 0) {
            values.put("memory", randomMemory(random));
        }
        switch (random.nextInt(4)) {
            case 0 -> values.put("code", randomHex(random));
            case 1 -> values.put("resource", FUZZED_ELF);
            case 2 -> values.put("resource", random.nextBoolean() ? "guests/hello.bin" : "no/such/resource.bin");
            default -> { }
        }
        if (random.nextBoolean()) {
            values.put("loadAddress", randomAddress(random));
        }
        if (random.nextInt(4) == 0) {
            values.put("registers", AnnotationInstances.of(Registers.class,
                    Map.of("rip", randomAddress(random), "rsp", randomAddress(random), "rflags", random.nextLong())));
        }
        if (random.nextInt(8) == 0) {
            values.put("timeoutMillis", random.nextLong(-10, 100_000));
        }
        return AnnotationInstances.of(KvmGuest.class, values);
    }

    private static Memory[] randomMemory(SplittableRandom random) {
        Memory[] regions = new Memory[random.nextInt(4)];
        for (int i = 0; i < regions.length; i++) {
            regions[i] = AnnotationInstances.of(Memory.class,
                    Map.of("guestAddress", randomAddress(random), "size", randomSize(random)));
        }
        return regions;
    }

    /** Mostly plausible addresses, page-aligned and not, with the occasional absurd one. */
    private static long randomAddress(SplittableRandom random) {
        return switch (random.nextInt(6)) {
            case 0 -> random.nextLong();
            case 1 -> -1;
            case 2 -> random.nextLong(0, 0x100000);
            case 3 -> 0xfffff000L + random.nextLong(-0x10000, 0x10000);
            default -> random.nextLong(0, 0x400) * 0x1000;
        };
    }

    /** Sizes up to 16 MiB, aligned or not, and some that no RAM can have. */
    private static long randomSize(SplittableRandom random) {
        return switch (random.nextInt(5)) {
            case 0 -> random.nextLong(-0x2000, 0x2000);
            case 1 -> random.nextLong();
            default -> random.nextLong(1, 0x1000) * 0x1000;
        };
    }

    private static String randomHex(SplittableRandom random) {
        StringBuilder hex = new StringBuilder();
        int length = random.nextInt(40);
        for (int i = 0; i < length; i++) {
            hex.append(HEX_ALPHABET.charAt(random.nextInt(random.nextInt(10) == 0 ? HEX_ALPHABET.length() : 16)));
        }
        return hex.toString();
    }

    /** A few random bytes changed, or a field of the headers set to an extreme value; sometimes cut short. */
    private static byte[] mutated(byte[] elf, SplittableRandom random) {
        byte[] bytes = elf.clone();
        if (random.nextInt(3) == 0) {
            // 8 bytes at a 4-byte boundary of the headers: an ELF64 field, or two ELF32 ones.
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(4 * random.nextInt(0, 0x40),
                    EXTREMES[random.nextInt(EXTREMES.length)]);
        } else {
            for (int flips = random.nextInt(1, 6); flips > 0; flips--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
        }
        return random.nextInt(5) == 0 ? java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length)) : bytes;
    }

    /** Serves one configuration's fuzzed ELF under {@link #FUZZED_ELF}, the test's resources otherwise. */
    private static final class FuzzedResources extends ClassLoader {
        private final byte[] fuzzedElf;

        FuzzedResources(byte[] fuzzedElf) {
            super(ConfigurationFuzzTest.class.getClassLoader());
            this.fuzzedElf = fuzzedElf;
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            return name.equals(FUZZED_ELF) ? new ByteArrayInputStream(fuzzedElf) : super.getResourceAsStream(name);
        }
    }
}

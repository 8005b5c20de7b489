package io.github.junitkvm.bench;

import java.time.Duration;

/**
 * How much the benchmark does: enough on a real host for stable medians, and a modest amount inside
 * {@code tools/kvm-in-qemu}, where Java runs about ten times slower.
 *
 * @param warmups warm-up rounds per comparison
 * @param rounds measured rounds per comparison
 * @param roundBudget the least time one workload spends in one round
 * @param qemuProcesses QEMU processes per round of the QEMU baseline
 * @param kvmLiveVms VMs kept alive at once to measure memory on KVM
 * @param emulatorLiveVms the same on the emulator, where each live VM holds a worker JVM
 * @param memoryRounds how often the memory measurement is repeated
 */
public record Scale(int warmups, int rounds, Duration roundBudget, int qemuProcesses, int kvmLiveVms,
                    int emulatorLiveVms, int memoryRounds) {
    /** On a host: about a minute per backend. */
    public static final Scale FULL = new Scale(6, 7, Duration.ofMillis(400), 5, 100, 8, 3);

    /**
     * Inside the QEMU guest of tools/kvm-in-qemu: about four minutes in all. More warm-up rounds,
     * since the JIT compiles slowly there, and enough live VMs that their memory stands out from the
     * JVM's own noise.
     */
    public static final Scale QUICK = new Scale(6, 4, Duration.ofMillis(1500), 2, 100, 4, 1);
}

package io.github.junitkvm.guest;

/**
 * The guest's vCPUs: how many, and where the application processors start.
 *
 * @param count how many vCPUs, 1 to {@link io.github.junitkvm.backend.MachineConfig#MAX_VCPUS}
 * @param apEntry where the application processors (vCPUs 1 on) start; -1 when they wait for a
 *     start-up ({@link io.github.junitkvm.KvmVm#startVcpu}), and with one vCPU
 */
public record VcpuSpec(int count, long apEntry) {
    /** A guest of one vCPU. */
    public static final VcpuSpec ONE = new VcpuSpec(1, -1);

    /** @return whether the guest has more than one vCPU */
    public boolean several() {
        return count > 1;
    }
}

package io.github.junitkvm;

/**
 * Serves a guest's {@code RDMSR} of one MSR ({@link KvmVm#onMsrRead}), at the access, with the
 * machine as {@link KvmVm} describes it at an exit.
 */
@FunctionalInterface
public interface MsrReadHandler {
    /**
     * Answers one read.
     *
     * @param index the MSR the guest reads ({@code ECX}), 0 to {@code 0xffffffff}
     * @return the value, which the guest gets in {@code EDX:EAX} (high half in {@code EDX})
     */
    long read(long index);
}

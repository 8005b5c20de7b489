package io.github.junitkvm;

/**
 * Serves a guest's {@code WRMSR} of one MSR ({@link KvmVm#onMsrWrite}), at the access, with the
 * machine as {@link KvmVm} describes it at an exit.
 */
@FunctionalInterface
public interface MsrWriteHandler {
    /**
     * Takes one write.
     *
     * @param index the MSR the guest writes ({@code ECX}), 0 to {@code 0xffffffff}
     * @param value {@code EDX:EAX}, the high half from {@code EDX}
     */
    void write(long index, long value);
}

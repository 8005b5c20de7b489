package io.github.junitkvm.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/** What the machine's {@code /dev/kvm} is, for tests that depend on the host's kind of KVM. */
public final class KvmHost {
    private KvmHost() {
    }

    /**
     * @return whether the host's KVM is PVM ({@code kvm_pvm}), which runs real, protected and long
     *     mode guests but keeps CR0.PG only in long mode, so {@code PAGED} guests cannot run
     */
    public static boolean isPvm() {
        return Files.exists(Path.of("/sys/module/kvm_pvm"));
    }

    /**
     * @return whether the tests run on KVM (as {@code junitkvm.backend} says, {@code auto} meaning
     *     KVM when {@code /dev/kvm} is there) and that KVM is PVM
     */
    public static boolean testsRunOnPvm() {
        String backend = System.getProperty("junitkvm.backend", "auto");
        boolean kvm = backend.equals("kvm") || backend.equals("auto") && Files.isWritable(Path.of("/dev/kvm"));
        return kvm && isPvm();
    }
}

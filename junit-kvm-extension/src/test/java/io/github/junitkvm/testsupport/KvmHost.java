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
     * @return whether the tests run on KVM and that KVM is PVM: {@code junitkvm.backend=kvm} on a PVM
     *     host ({@code auto} takes the emulator there, which every test environment of this project
     *     has)
     */
    public static boolean testsRunOnPvm() {
        return System.getProperty("junitkvm.backend", "auto").equals("kvm") && isPvm();
    }
}

/**
 * junit-kvm: a JUnit Jupiter extension that runs test guests in virtual machines, on KVM or on the
 * Unicorn emulator. The module exports its API, {@code io.github.junitkvm}, and nothing else: the
 * sub-packages are the implementation, which the API reaches through its {@link
 * io.github.junitkvm.KvmProvider} service.
 */
module io.github.junitkvm {
    // Both appear in the API's own signatures: KvmExtension is a JUnit extension, and the
    // assertions are AssertJ's (KvmAssertions extends its Assertions).
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;
    requires org.junit.platform.commons;
    requires com.sun.jna;
    requires jdk.management;  // HostMemory asks the OS bean for the host's physical memory

    exports io.github.junitkvm;

    // JNA reads and writes the fields of Structure subclasses, and proxies the library and callback
    // interfaces, by reflection.
    opens io.github.junitkvm.kvm to com.sun.jna;
    opens io.github.junitkvm.disasm to com.sun.jna;
    opens io.github.junitkvm.emulator.unicorn to com.sun.jna;

    uses io.github.junitkvm.KvmProvider;
    provides io.github.junitkvm.KvmProvider with io.github.junitkvm.junit.Provider;
}

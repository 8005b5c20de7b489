package io.github.junitkvm;

import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The service provider interface between this package, the API, and junit-kvm's implementation in
 * its sub-packages, which depend on the API and never the other way round: the API finds the
 * implementation at run time with {@link java.util.ServiceLoader}, registered in the jar's
 * {@code META-INF/services} on the class path and by its module's {@code provides} on the module
 * path. junit-kvm provides exactly one; tests neither implement nor call it.
 */
public interface KvmProvider {
    /**
     * @return the JUnit Jupiter callbacks {@link KvmExtension} passes every call on to; stateless,
     *     as they keep what they need in JUnit's stores
     */
    ExtensionCallbacks extension();

    /**
     * @param run a run
     * @return the report of it that every failure of {@link GuestRunAssert} shows: how it stopped,
     *     the last exits, the serial output, the guest log, the registers, the CPU mode, the code at
     *     RIP disassembled and, for a traced guest, the last instructions it executed
     */
    String describe(GuestRun run);

    /** The callbacks of {@link KvmExtension}, all of which the implementation answers. */
    interface ExtensionCallbacks extends ExecutionCondition, BeforeEachCallback, ParameterResolver, InvocationInterceptor {
    }
}

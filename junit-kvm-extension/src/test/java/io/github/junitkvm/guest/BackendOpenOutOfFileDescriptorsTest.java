package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real shortage of file descriptors while the backends are opened, made in a child JVM (run with
 * {@code ulimit -n 256}) so that this JVM never runs short: it fails the test that meets it, with
 * the cause, is no reason to skip, and is not remembered once descriptors are free again.
 */
class BackendOpenOutOfFileDescriptorsTest {
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aShortageOfFileDescriptorsFailsOnlyWhileItLasts() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder("sh", "-c", "ulimit -n 256 && exec \"$@\"", "sh", java, "-Xmx64m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), OpenWithoutFileDescriptors.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String output;
        try {
            output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor()).as("the child's exit status; it printed:%n%s", output).isZero();
        } finally {
            child.destroyForcibly();
        }
        List<String> lines = output.lines().toList();

        assertThat(lines).as(output).anySatisfy(line -> assertThat(line)
                .startsWith("exhausted, auto: skip = none; select = TransientHypervisorException: junitkvm.backend=auto:"
                        + " the KVM backend could not be opened (tried 3 times, pausing 400 ms in all): cannot open"
                        + " /dev/kvm: Too many open files (errno 24)")
                .endsWith("this may pass, and the next test tries again"));
        assertThat(lines).as(output).anySatisfy(line -> assertThat(line)
                .startsWith("exhausted, emulator: skip = none; select = TransientHypervisorException:"
                        + " junitkvm.backend=emulator: the EMULATOR backend could not be opened (tried 3 times, pausing"
                        + " 400 ms in all): cannot start the emulator worker")
                .contains("Too many open files"));
        assertThat(lines).as(output).anySatisfy(line -> assertThat(line)
                .matches("freed, auto: skip = none; select = backend (KVM|EMULATOR)"));
        assertThat(lines).as(output).contains("freed, emulator: skip = none; select = backend EMULATOR");
    }
}

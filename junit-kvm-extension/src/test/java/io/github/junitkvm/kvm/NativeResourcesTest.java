package io.github.junitkvm.kvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Releasing a machine's resources: order, failures, repetition. */
class NativeResourcesTest {
    private final List<String> released = new ArrayList<>();
    private final NativeResources resources = new NativeResources();

    @Test
    void releasesInTheReverseOrderOfAcquisition() {
        resources.add(() -> released.add("vm fd"));
        resources.add(() -> released.add("ram"));
        resources.add(() -> released.add("vcpu fd"));

        resources.close();

        assertThat(released).containsExactly("vcpu fd", "ram", "vm fd");
    }

    @Test
    void goesOnPastAFailureAndThrowsTheFirstWithTheOthersSuppressed() {
        resources.add(() -> released.add("vm fd"));
        resources.add(() -> {
            throw new IllegalStateException("second");
        });
        resources.add(() -> {
            throw new IllegalStateException("first");
        });

        assertThatThrownBy(resources::close)
                .hasMessage("first")
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactly("second"));
        assertThat(released).containsExactly("vm fd");
    }

    @Test
    void releasesEachResourceOnce() {
        resources.add(() -> released.add("vm fd"));

        resources.close();
        resources.close();

        assertThat(released).containsExactly("vm fd");
    }
}

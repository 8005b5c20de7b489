package io.github.junitkvm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SeriesTest {
    @Test
    void everySeriesIsFoundByItsId() {
        Arrays.stream(Series.values()).forEach(s -> assertThat(Series.byId(s.id())).isSameAs(s));
        assertThat(Series.LIFECYCLE_QEMU_KVM.id()).isEqualTo("lifecycle/qemu-kvm");
    }

    @Test
    void anUnknownIdIsAnError() {
        assertThatThrownBy(() -> Series.byId("lifecycle/jmh")).hasMessage("no benchmark series 'lifecycle/jmh'");
    }
}

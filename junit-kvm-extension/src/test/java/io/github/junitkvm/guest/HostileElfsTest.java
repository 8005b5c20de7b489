package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostileElfsTest {
    @Test
    void theResourcesAreWhatElfBuilderMakes() throws IOException {
        for (Map.Entry<String, byte[]> file : HostileElfs.files().entrySet()) {
            try (InputStream in = getClass().getClassLoader().getResourceAsStream(HostileElfs.DIRECTORY + file.getKey())) {
                assertThat(in).as("%s: write it with HostileElfs.main", file.getKey()).isNotNull();
                assertThat(in.readAllBytes()).as("%s: write it again with HostileElfs.main", file.getKey())
                        .isEqualTo(file.getValue());
            }
        }
    }
}

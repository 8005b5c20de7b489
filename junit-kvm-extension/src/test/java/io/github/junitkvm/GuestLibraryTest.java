package io.github.junitkvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extracting the guest library for a guest's own build. */
class GuestLibraryTest {
    @Test
    void extractsEveryFileAsInTheJarCreatingTheDirectory(@TempDir Path temp) throws IOException {
        Path dir = temp.resolve("a/b");

        assertThat(GuestLibrary.extractTo(dir)).isEqualTo(dir);

        assertThat(dir).isDirectoryContaining("glob:**/junitkvm.h").isDirectoryContaining("glob:**/junitkvm.inc");
        for (String file : GuestLibrary.FILES) {
            assertThat(Files.readAllBytes(dir.resolve(file))).isEqualTo(resource(file));
        }
        assertThat(Files.readString(dir.resolve(GuestLibrary.C_HEADER)))
                .contains("#define JUNITKVM_PORT 0x" + Integer.toHexString(GuestLibrary.PORT));
        assertThat(Files.readString(dir.resolve(GuestLibrary.ASM_MACROS)))
                .contains(".set JUNITKVM_PORT, 0x" + Integer.toHexString(GuestLibrary.PORT));
    }

    @Test
    void replacesAnOlderCopy(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(GuestLibrary.C_HEADER), "stale");

        GuestLibrary.extractTo(dir);

        assertThat(Files.readAllBytes(dir.resolve(GuestLibrary.C_HEADER))).isEqualTo(resource(GuestLibrary.C_HEADER));
    }

    @Test
    void theCommandLineExtractsToItsArgument(@TempDir Path dir) {
        GuestLibrary.main(new String[] {dir.toString()});

        assertThat(dir.resolve(GuestLibrary.ASM_MACROS)).isRegularFile();
    }

    @Test
    void aDirectoryThatCannotBeWrittenIsAnErrorNamingIt(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "not a directory");

        assertThatThrownBy(() -> GuestLibrary.extractTo(file.resolve("sub")))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("cannot extract the junit-kvm guest library to " + file.resolve("sub"));
    }

    private static byte[] resource(String file) throws IOException {
        try (InputStream in = GuestLibrary.class.getClassLoader()
                .getResourceAsStream(GuestLibrary.RESOURCE_DIRECTORY + file)) {
            assertThat(in).as(file).isNotNull();
            return in.readAllBytes();
        }
    }
}

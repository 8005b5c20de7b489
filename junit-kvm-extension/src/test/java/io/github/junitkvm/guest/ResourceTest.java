package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.KvmGuestConfigurationException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Classpath resources in a directory and in a jar, as a test's class loader finds them. */
class ResourceTest {
    private static final byte[] IMAGE = {(byte) 0x90, (byte) 0x90, (byte) 0xf4};

    @TempDir
    Path root;

    @Test
    void refusesADirectoryOfTheClasspath() throws IOException {
        Files.createDirectories(root.resolve("guests"));
        Files.write(root.resolve("guests/a.bin"), IMAGE);

        try (URLClassLoader loader = loader(root.toUri().toURL())) {
            assertThatThrownBy(() -> Resource.find(loader, "/guests")).isInstanceOf(KvmGuestConfigurationException.class)
                    .hasMessageStartingWith("@KvmGuest(resource = \"/guests\"): is a directory (file:")
                    .hasMessageEndingWith("guests), not a file: name the image file in it");
            assertThat(Resource.find(loader, "guests/a.bin").readAtMost(IMAGE.length)).contains(IMAGE);
        }
    }

    @Test
    void refusesADirectoryOfAJar() throws IOException {
        Path jar = root.resolve("guests.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("guests/"));
            out.putNextEntry(new JarEntry("guests/a.bin"));
            out.write(IMAGE);
        }

        try (URLClassLoader loader = loader(jar.toUri().toURL())) {
            assertThatThrownBy(() -> Resource.find(loader, "guests"))
                    .hasMessageStartingWith("@KvmGuest(resource = \"guests\"): is a directory (jar:file:");
            assertThat(Resource.find(loader, "guests/a.bin").readAtMost(IMAGE.length)).contains(IMAGE);
        }
    }

    @Test
    void saysWhereToPutAMissingResource() throws IOException {
        try (URLClassLoader loader = loader(root.toUri().toURL())) {
            assertThatThrownBy(() -> Resource.find(loader, "/guests/none.bin")).hasMessage("@KvmGuest(resource = "
                    + "\"/guests/none.bin\"): no such classpath resource: put the file at "
                    + "src/test/resources/guests/none.bin (or in a jar on the test classpath)");
        }
    }

    @Test
    void readsAtMostOneBytePastTheLimit() throws IOException {
        Path big = root.resolve("big.bin");
        try (OutputStream out = Files.newOutputStream(big)) {
            out.write(new byte[1 << 20]);
        }

        try (URLClassLoader loader = loader(root.toUri().toURL())) {
            Resource resource = Resource.find(loader, "big.bin");

            assertThat(resource.readAtMost((1 << 20) - 1)).isEmpty();
            assertThat(resource.readAtMost(1 << 20)).hasValueSatisfying(bytes -> assertThat(bytes).hasSize(1 << 20));
        }
    }

    private static URLClassLoader loader(URL url) {
        return new URLClassLoader(new URL[] {url}, null);
    }
}

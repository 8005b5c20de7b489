package consumer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.GuestLibrary;
import org.junit.jupiter.api.Test;

/**
 * What a user's test class path gets from the one dependency: the extension's runtime
 * dependencies and resources, and none of the libraries only its own tests use.
 */
class ClassPathTest {
    private final ClassLoader loader = ClassPathTest.class.getClassLoader();

    @Test
    void bringsItsRuntimeDependencies() throws ClassNotFoundException {
        loader.loadClass("com.sun.jna.Native");
        loader.loadClass("org.assertj.core.api.Assertions");
        loader.loadClass("org.junit.jupiter.api.extension.Extension");
    }

    @Test
    void bringsTheGuestLibrary() {
        for (String file : GuestLibrary.FILES) {
            assertThat(loader.getResource(GuestLibrary.RESOURCE_DIRECTORY + file)).as(file).isNotNull();
        }
    }

    @Test
    void leaksNoTestDependency() {
        for (String testOnly : new String[] {"org.mockito.Mockito", "org.junit.platform.testkit.engine.EngineTestKit"}) {
            assertThat(loader.getResource(testOnly.replace('.', '/') + ".class")).as(testOnly).isNull();
        }
    }
}

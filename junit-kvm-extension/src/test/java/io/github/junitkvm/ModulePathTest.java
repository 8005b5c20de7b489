package io.github.junitkvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The extension as a named module, on a module path of its own and of its dependencies' jars: the
 * other tests run on the class path (see the pom), so this one checks what the module path
 * changes. Its classes are loaded anew in a module layer; the test reaches the internal packages
 * through the layer's controller, which opens them to this test alone.
 */
class ModulePathTest {
    private static final String MODULE = "io.github.junitkvm";
    /** The jars of the modules the extension reads, found on this test's class path by name. */
    private static final List<String> DEPENDENCIES = List.of("jna-", "junit-jupiter-api-", "junit-platform-commons-",
            "opentest4j-", "apiguardian-api-", "assertj-core-", "byte-buddy-");

    private static ModuleLayer.Controller controller;
    private static Module extension;

    @BeforeAll
    static void defineTheLayer() throws URISyntaxException {
        Path classes = Path.of(KvmProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Stream<Path> jars = Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(Path::of)
                .filter(jar -> DEPENDENCIES.stream().anyMatch(name -> jar.getFileName().toString().startsWith(name)));
        ModuleFinder finder = ModuleFinder.of(Stream.concat(Stream.of(classes), jars).toArray(Path[]::new));
        Configuration configuration = ModuleLayer.boot().configuration()
                .resolveAndBind(finder, ModuleFinder.of(), Set.of(MODULE));
        controller = ModuleLayer.defineModulesWithOneLoader(configuration, List.of(ModuleLayer.boot()),
                ClassLoader.getPlatformClassLoader());
        extension = controller.layer().findModule(MODULE).orElseThrow();
    }

    @Test
    void exportsTheApiAloneAndProvidesItsImplementation() {
        ModuleDescriptor descriptor = extension.getDescriptor();

        assertThat(descriptor.exports()).extracting(ModuleDescriptor.Exports::source).containsExactly(MODULE);
        assertThat(descriptor.provides()).singleElement().satisfies(provides -> {
            assertThat(provides.service()).isEqualTo(KvmProvider.class.getName());
            assertThat(provides.providers()).containsExactly("io.github.junitkvm.junit.Provider");
        });
    }

    @Test
    void theApiFindsItsImplementation() throws Exception {
        Class<?> service = extension.getClassLoader().loadClass(KvmProvider.class.getName());

        Optional<?> provider = ServiceLoader.load(controller.layer(), service).findFirst();

        assertThat(provider).get().extracting(found -> found.getClass().getName())
                .isEqualTo("io.github.junitkvm.junit.Provider");
        Object kvmExtension = extension.getClassLoader().loadClass(KvmExtension.class.getName())
                .getConstructor().newInstance();
        assertThat(kvmExtension.getClass().getModule()).isSameAs(extension);
    }

    @Test
    void jnaReachesTheStructuresOfCapstone() throws Exception {
        Object disassembler = internal("io.github.junitkvm.disasm.Disassemblers").getMethod("preferred").invoke(null);
        Class<?> width = internal("io.github.junitkvm.disasm.CodeWidth");
        Method disassemble = internal("io.github.junitkvm.disasm.Disassembler")
                .getMethod("disassemble", byte[].class, long.class, width, int.class);

        List<?> instructions = (List<?>) disassemble.invoke(disassembler, new byte[] {(byte) 0xf4}, 0x1000L,
                width.getEnumConstants()[0], 1);

        assertThat(instructions).singleElement().asString().contains("hlt");
    }

    @Test
    void theEmulatorsWorkerStartsFromTheModule() throws Exception {
        Class<?> emulator = internal("io.github.junitkvm.emulator.EmulatorHypervisor");

        try (AutoCloseable hypervisor = (AutoCloseable) emulator.getMethod("open").invoke(null)) {
            assertThat(emulator.getMethod("unicornVersion").invoke(hypervisor)).asString().startsWith("2.");
        }
    }

    /** @return an internal type of the module in the layer, its package opened to this test */
    private static Class<?> internal(String name) throws ClassNotFoundException {
        Class<?> type = extension.getClassLoader().loadClass(name);
        controller.addOpens(extension, type.getPackageName(), ModulePathTest.class.getModule());
        return type;
    }
}

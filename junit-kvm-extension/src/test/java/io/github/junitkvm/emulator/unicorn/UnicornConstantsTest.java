package io.github.junitkvm.emulator.unicorn;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.KvmGuestConfigurationException;
import io.github.junitkvm.emulator.EmulatorHypervisor;
import io.github.junitkvm.testsupport.CProbe;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every constant and struct layout of the binding, against what gcc computes from the Unicorn
 * headers: the system's (Debian's 2.0.1), and those of a pip-installed {@code unicorn} wheel (2.1.4)
 * where {@code python3} has one, which bundles them beside its library.
 */
class UnicornConstantsTest {

    static Stream<Arguments> headers() {
        Stream<Arguments> system = Stream.of(Arguments.of("the system's", List.of()));
        Optional<Path> wheel;
        try (EmulatorHypervisor emulator = EmulatorHypervisor.open(Optional.of("wheel"))) {
            wheel = emulator.libraryFile();
        } catch (KvmGuestConfigurationException noWheel) {
            return system;
        }
        // The wheel's package holds lib/libunicorn.so.2 and include/unicorn/*.h.
        Path include = wheel.orElseThrow().getParent().getParent().resolve("include");
        return Stream.concat(system, Stream.of(Arguments.of("the unicorn wheel's", List.of("-I" + include))));
    }

    @ParameterizedTest(name = "{0} headers")
    @MethodSource("headers")
    void matchTheHeaders(String whose, List<String> gccArguments) throws Exception {
        Map<String, Long> java = new LinkedHashMap<>();
        for (Field field : UnicornConstants.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == int.class) {
                java.put(field.getName(), (long) field.getInt(null));
            }
        }
        Map<String, String> structs = Map.of(
                "sizeof(uc_x86_mmr)", "X86Mmr.SIZE",
                "offsetof(uc_x86_mmr, base)", "X86Mmr.BASE_OFFSET",
                "offsetof(uc_x86_mmr, limit)", "X86Mmr.LIMIT_OFFSET",
                "sizeof(uc_x86_msr)", "X86Msr.SIZE",
                "offsetof(uc_x86_msr, rid)", "X86Msr.RID_OFFSET",
                "offsetof(uc_x86_msr, value)", "X86Msr.VALUE_OFFSET",
                "UC_CTL_WRITE(UC_CTL_TB_REMOVE_CACHE, 2)", "UnicornConstants.ucCtlWrite(UC_CTL_TB_REMOVE_CACHE,2)");
        java.put("X86Mmr.SIZE", (long) X86Mmr.SIZE);
        java.put("X86Mmr.BASE_OFFSET", (long) X86Mmr.BASE_OFFSET);
        java.put("X86Mmr.LIMIT_OFFSET", (long) X86Mmr.LIMIT_OFFSET);
        java.put("X86Msr.SIZE", (long) X86Msr.SIZE);
        java.put("X86Msr.RID_OFFSET", (long) X86Msr.RID_OFFSET);
        java.put("X86Msr.VALUE_OFFSET", (long) X86Msr.VALUE_OFFSET);
        java.put("UnicornConstants.ucCtlWrite(UC_CTL_TB_REMOVE_CACHE,2)",
                (long) UnicornConstants.ucCtlWrite(UnicornConstants.UC_CTL_TB_REMOVE_CACHE, 2));

        StringBuilder source = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n"
                + "#include <unicorn/unicorn.h>\n#include <unicorn/x86.h>\nint main(void) {\n");
        for (String name : java.keySet()) {
            if (!name.contains(".")) {
                source.append("    printf(\"").append(name).append(" %lld\\n\", (long long) ").append(name).append(");\n");
            }
        }
        structs.forEach((expression, name) -> source.append("    printf(\"").append(name)
                .append(" %lld\\n\", (long long) ").append(expression).append(");\n"));
        source.append("    return 0;\n}\n");

        Map<String, Long> c = CProbe.run(source.toString(), gccArguments.toArray(String[]::new));

        assertThat(c).containsExactlyInAnyOrderEntriesOf(java);
        assertThat(java).hasSizeGreaterThan(40);
    }
}

package io.github.junitkvm.emulator.unicorn;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.testsupport.CProbe;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every constant and struct layout of the binding, against what gcc computes from the Unicorn headers. */
class UnicornConstantsTest {

    @Test
    void matchTheHeaders() throws Exception {
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

        Map<String, Long> c = CProbe.run(source.toString());

        assertThat(c).containsExactlyInAnyOrderEntriesOf(java);
        assertThat(java).hasSizeGreaterThan(40);
    }
}

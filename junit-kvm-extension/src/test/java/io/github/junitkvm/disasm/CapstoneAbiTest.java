package io.github.junitkvm.disasm;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.junitkvm.testsupport.CProbe;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The layout of {@code cs_insn} and the constants the binding mirrors, against what gcc computes
 * from {@code capstone/capstone.h} ({@code libcapstone-dev}).
 */
class CapstoneAbiTest {

    @Test
    void matchesTheHeaders() throws Exception {
        Map<String, Long> java = new LinkedHashMap<>();
        Map<String, String> c = new LinkedHashMap<>();
        fact(java, c, "CS_API_MAJOR", "CS_API_MAJOR", 4);
        fact(java, c, "CS_ARCH_X86", "CS_ARCH_X86", Capstone.CS_ARCH_X86);
        fact(java, c, "CS_MODE_16", "CS_MODE_16", Capstone.CS_MODE_16);
        fact(java, c, "CS_MODE_32", "CS_MODE_32", Capstone.CS_MODE_32);
        fact(java, c, "CS_MODE_64", "CS_MODE_64", Capstone.CS_MODE_64);
        fact(java, c, "CS_ERR_OK", "CS_ERR_OK", Capstone.CS_ERR_OK);
        fact(java, c, "sizeof.cs_insn", "sizeof(cs_insn)", CsInsn.SIZE);
        fact(java, c, "cs_insn.address", "offsetof(cs_insn, address)", CsInsn.ADDRESS);
        fact(java, c, "cs_insn.size", "offsetof(cs_insn, size)", CsInsn.LENGTH);
        fact(java, c, "cs_insn.bytes", "offsetof(cs_insn, bytes)", CsInsn.BYTES);
        fact(java, c, "sizeof.cs_insn.bytes", "sizeof(((cs_insn *)0)->bytes)", CsInsn.BYTES_SIZE);
        fact(java, c, "cs_insn.mnemonic", "offsetof(cs_insn, mnemonic)", CsInsn.MNEMONIC);
        fact(java, c, "sizeof.cs_insn.mnemonic", "sizeof(((cs_insn *)0)->mnemonic)", CsInsn.MNEMONIC_SIZE);
        fact(java, c, "cs_insn.op_str", "offsetof(cs_insn, op_str)", CsInsn.OP_STR);
        fact(java, c, "sizeof.cs_insn.op_str", "sizeof(((cs_insn *)0)->op_str)", CsInsn.OP_STR_SIZE);
        fact(java, c, "sizeof.csh", "sizeof(csh)", Long.BYTES);

        StringBuilder source = new StringBuilder(
                "#include <stdio.h>\n#include <stddef.h>\n#include <capstone/capstone.h>\nint main(void) {\n");
        c.forEach((name, expression) -> source.append("    printf(\"").append(name)
                .append(" %lld\\n\", (long long) (").append(expression).append("));\n"));
        source.append("    return 0;\n}\n");

        assertThat(CProbe.run(source.toString())).containsExactlyEntriesOf(java);
    }

    private static void fact(Map<String, Long> java, Map<String, String> c, String name, String expression, long value) {
        java.put(name, value);
        c.put(name, expression);
    }
}

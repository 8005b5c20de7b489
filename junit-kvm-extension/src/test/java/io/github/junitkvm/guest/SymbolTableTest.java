package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.github.junitkvm.GuestSymbol;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SymbolTableTest {
    @Test
    void aTableTooLargeForEditDistancesSuggestsNamesContainingTheOneAskedFor() {
        List<SymbolTable.Entry> entries = IntStream.range(0, SymbolTable.EDIT_DISTANCE_LIMIT + 1)
                .mapToObj(i -> entry(String.format("function_%06d", i))).toList();
        SymbolTable table = new SymbolTable(".symtab", entries);

        assertThatIllegalArgumentException().isThrownBy(() -> table.find("function_00000"))
                .withMessageEndingWith("; similar: function_000000, function_000001, function_000002,"
                        + " function_000003, function_000004");
        assertThatIllegalArgumentException().isThrownBy(() -> table.find("function_x00001"))
                .withMessage("no symbol \"function_x00001\" in the .symtab of 100001 names");
    }

    @Test
    void similarNamesAreEscapedAsTheNameAskedFor() {
        SymbolTable table = new SymbolTable(".symtab", List.of(entry("main\u001b[2J")));

        assertThatIllegalArgumentException().isThrownBy(() -> table.find("main"))
                .withMessage("no symbol \"main\" in the .symtab of 1 names; similar: main\\x1b[2J");
    }

    private static SymbolTable.Entry entry(String name) {
        return new SymbolTable.Entry(new GuestSymbol(name, 0x1000, 0, GuestSymbol.Kind.FUNCTION), true);
    }
}

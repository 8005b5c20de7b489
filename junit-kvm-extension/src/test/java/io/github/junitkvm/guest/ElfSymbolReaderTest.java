package io.github.junitkvm.guest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.junitkvm.GuestSymbol;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Symbols of ELF files built here with a string table, a symbol table and section headers after
 * the segments, set wrong on purpose where a hostile file would: every malformed table is an
 * {@link InvalidImageException} saying what is wrong, read no further than the file's bytes.
 */
class ElfSymbolReaderTest {
    private static final long CODE = 0x2000;
    private static final long VIRTUAL = CODE + ElfBuilder.VIRTUAL_OFFSET;
    private static final int STT_NOTYPE = 0;
    private static final int STT_OBJECT = 1;
    private static final int STT_FUNC = 2;
    private static final int STT_SECTION = 3;
    private static final int STT_FILE = 4;
    private static final int LOCAL = 0;
    private static final int GLOBAL = 1;
    private static final int WEAK = 2;

    @ParameterizedTest(name = "ELF64 {0}")
    @ValueSource(booleans = {false, true})
    void readsDefinedSymbolsAtTheirPhysicalAddresses(boolean is64) throws IOException {
        SymbolTable table = symbols(new SymbolFile(is64)
                .symbol("main", VIRTUAL + 0x10, 5, STT_FUNC, GLOBAL, 1)
                .symbol("table", VIRTUAL + 0x20, 16, STT_OBJECT, LOCAL, 1)
                .symbol("label", VIRTUAL + 0x30, 0, STT_NOTYPE, LOCAL, 1)
                .symbol("absolute", 0x1234, 0, STT_NOTYPE, GLOBAL, 0xfff1)
                .symbol("undefined", 0, 0, STT_FUNC, GLOBAL, 0)
                .symbol("text", VIRTUAL, 0, STT_SECTION, LOCAL, 1)
                .symbol("calls.c", 0, 0, STT_FILE, LOCAL, 0xfff1));

        assertThat(table.symbols()).containsExactly(
                new GuestSymbol("absolute", 0x1234, 0, GuestSymbol.Kind.LABEL),
                new GuestSymbol("main", CODE + 0x10, 5, GuestSymbol.Kind.FUNCTION),
                new GuestSymbol("table", CODE + 0x20, 16, GuestSymbol.Kind.OBJECT),
                new GuestSymbol("label", CODE + 0x30, 0, GuestSymbol.Kind.LABEL));
    }

    @Test
    void readsTheDynamicSymbolsWhenThereIsNoSymbolTable() throws IOException {
        SymbolTable table = symbols(new SymbolFile(true).symbol("exported", VIRTUAL, 1, STT_FUNC, GLOBAL, 1)
                .symbolTableType(11));

        assertThat(table.find("exported").address()).isEqualTo(CODE);
        assertThatIllegalArgumentException().isThrownBy(() -> table.find("missing"))
                .withMessage("no symbol \"missing\" in the .dynsym of 1 names");
    }

    @Test
    void aGlobalSymbolWinsOverLocalOnesAndLocalOnesAloneAreAmbiguous() throws IOException {
        SymbolTable table = symbols(new SymbolFile(true)
                .symbol("helper", VIRTUAL + 0x10, 0, STT_FUNC, LOCAL, 1)
                .symbol("helper", VIRTUAL + 0x20, 0, STT_FUNC, WEAK, 1)
                .symbol("step", VIRTUAL + 0x30, 0, STT_FUNC, LOCAL, 1)
                .symbol("step", VIRTUAL + 0x40, 0, STT_FUNC, LOCAL, 1));

        assertThat(table.find("helper").address()).isEqualTo(CODE + 0x20);
        assertThatIllegalArgumentException().isThrownBy(() -> table.find("step"))
                .withMessage("symbol \"step\" is ambiguous: the .symtab has 2 local symbols of that name, at 0x2030,"
                        + " 0x2040");
    }

    @Test
    void aMissingSymbolListsSimilarNames() throws IOException {
        SymbolFile file = new SymbolFile(true);
        for (String name : List.of("adler32", "adler32_z", "adler32_combine", "crc32", "inflate", "inflateInit_")) {
            file.symbol(name, VIRTUAL, 0, STT_FUNC, GLOBAL, 1);
        }
        SymbolTable table = symbols(file);

        assertThatIllegalArgumentException().isThrownBy(() -> table.find("adler"))
                .withMessage("no symbol \"adler\" in the .symtab of 6 names; similar: adler32, adler32_combine,"
                        + " adler32_z");
        assertThatIllegalArgumentException().isThrownBy(() -> table.find("Inflate"))
                .withMessage("no symbol \"Inflate\" in the .symtab of 6 names; similar: inflate, inflateInit_");
        assertThatIllegalArgumentException().isThrownBy(() -> table.find("zzz\n"))
                .withMessage("no symbol \"zzz\\n\" in the .symtab of 6 names");
    }

    @Test
    void aFileWithoutSectionHeadersHasNoSymbols() {
        assertRefused(new SymbolFile(true).sections(s -> s.count = 0),
                "the ELF file has no section headers (e_shnum = 0), so no symbol table: it was stripped of them");
    }

    @Test
    void aStrippedFileHasNoSymbols() {
        assertRefused(new SymbolFile(true).symbolTableType(1), "the ELF file has no symbol table (.symtab or"
                + " .dynsym): it was stripped; link it without -s and do not strip it");
    }

    @Test
    void refusesSectionHeadersSmallerThanTheClasss() {
        assertRefused(new SymbolFile(false).sections(s -> s.entrySize = 39),
                "section header entry size 39 is below the 40 bytes of an ELF32 section header");
    }

    @Test
    void refusesSectionHeadersPastTheEndOfTheFile() {
        assertRefused(new SymbolFile(true).sections(s -> s.offset = 0x7fff_ffff_0000L), "truncated ELF file: ");
        assertRefused(new SymbolFile(true).sections(s -> s.offset = -64), "truncated ELF file: ");
        assertRefused(new SymbolFile(true).sections(s -> s.count = 0xffff), "truncated ELF file: ");
    }

    @Test
    void refusesAStringTableLinkOutsideTheSections() {
        assertRefused(new SymbolFile(true).symbolTable(s -> s.link = 7),
                ".symtab (section 2) names string table section 7, but there are 3 sections");
        assertRefused(new SymbolFile(true).symbolTable(s -> s.link = 0xffff_ffffL),
                ".symtab (section 2) names string table section 4294967295, but there are 3 sections");
    }

    @Test
    void refusesAStringTableThatIsNotOne() {
        assertRefused(new SymbolFile(true).symbolTable(s -> s.link = 2),
                ".symtab (section 2) names section 2 as its string table, which is of type 2, not SHT_STRTAB (3)");
    }

    @Test
    void refusesSymbolsSmallerThanTheClasss() {
        assertRefused(new SymbolFile(true).symbolTable(s -> s.entrySize = 16),
                ".symtab (section 2) has entries of 16 bytes, fewer than the 24 of an ELF64 symbol");
        assertRefused(new SymbolFile(true).symbolTable(s -> s.entrySize = 0),
                ".symtab (section 2) has entries of 0 bytes");
    }

    @Test
    void refusesATableLargerThanTheLimitWithoutReadingIt() {
        assertRefused(new SymbolFile(true).symbolTable(s -> s.size = -1L),
                ".symtab (section 2) claims 0xffffffffffffffff bytes, more than the 64 MiB");
        assertRefused(new SymbolFile(false).stringTable(s -> s.size = 0xffff_ffffL),
                "its string table (section 1) claims 0xffffffff bytes, more than the 64 MiB");
    }

    @Test
    void refusesATablePastTheEndOfTheFile() {
        assertRefused(new SymbolFile(true).symbolTable(s -> s.size = ElfSymbolReader.MAX_TABLE),
                "truncated ELF file: ");
        assertRefused(new SymbolFile(true).stringTable(s -> s.offset = 1L << 40), "truncated ELF file: ");
    }

    @Test
    void refusesANameOutsideTheStringTable() {
        assertRefused(new SymbolFile(true).symbol("main", VIRTUAL, 0, STT_FUNC, GLOBAL, 1).nameOffset(0x10000),
                "symbol 1 of .symtab has its name at offset 0x10000, outside its string table of 0x6 bytes");
        assertRefused(new SymbolFile(true).symbol("main", VIRTUAL, 0, STT_FUNC, GLOBAL, 1).nameOffset(0xffff_ffffL),
                "symbol 1 of .symtab has its name at offset 0xffffffff");
    }

    @Test
    void refusesANameWithoutItsTerminatingNul() {
        assertRefused(new SymbolFile(true).symbol("main", VIRTUAL, 0, STT_FUNC, GLOBAL, 1)
                        .stringTable(s -> s.size -= 1),
                "symbol 1 of .symtab has a name at offset 0x1 that runs to the end of its string table without a"
                        + " terminating NUL");
    }

    private static void assertRefused(SymbolFile file, String message) {
        assertThatThrownBy(() -> symbols(file)).isInstanceOf(InvalidImageException.class)
                .hasMessageStartingWith(message);
    }

    private static SymbolTable symbols(SymbolFile file) throws IOException {
        byte[] bytes = file.build();
        ImageFile image = () -> new ByteArrayInputStream(bytes);
        return ElfImage.read(image).symbols(image);
    }

    /** The numbers of a section header, to set wrong. */
    static final class Header {
        int type;
        long offset;
        long size;
        long link;
        long entrySize;
    }

    /** The numbers of the section header table in the ELF header, to set wrong. */
    static final class Table {
        long offset;
        int entrySize;
        int count;
    }

    /**
     * An executable with one segment, and after it a string table (section 1), a symbol table
     * (section 2, linked to 1) and the section headers (0 is the null section).
     */
    static final class SymbolFile {
        private final boolean is64;
        private final ByteArrayOutputStream names = new ByteArrayOutputStream();
        private final List<long[]> symbols = new ArrayList<>();
        private Consumer<Table> tableChange = table -> { };
        private Consumer<Header> stringsChange = header -> { };
        private Consumer<Header> symbolsChange = header -> { };
        private int symbolTableType = 2;
        private Long nameOffset;

        SymbolFile(boolean is64) {
            this.is64 = is64;
            names.write(0);
        }

        SymbolFile symbol(String name, long value, long size, int type, int binding, int section) {
            long offset = names.size();
            names.writeBytes(name.getBytes(StandardCharsets.UTF_8));
            names.write(0);
            symbols.add(new long[] {offset, value, size, (binding << 4) | type, section});
            return this;
        }

        SymbolFile symbolTableType(int type) {
            symbolTableType = type;
            return this;
        }

        /** Sets the name offset of the last symbol. */
        SymbolFile nameOffset(long offset) {
            nameOffset = offset;
            return this;
        }

        SymbolFile sections(Consumer<Table> change) {
            tableChange = change;
            return this;
        }

        SymbolFile stringTable(Consumer<Header> change) {
            stringsChange = change;
            return this;
        }

        SymbolFile symbolTable(Consumer<Header> change) {
            symbolsChange = change;
            return this;
        }

        byte[] build() {
            byte[] executable = (is64 ? ElfBuilder.elf64() : ElfBuilder.elf32()).entry(CODE)
                    .load(CODE, new byte[0x40], 0x40).build();
            if (nameOffset != null) {
                symbols.get(symbols.size() - 1)[0] = nameOffset;
            }
            int symbolSize = is64 ? 24 : 16;
            ByteBuffer table = ByteBuffer.allocate((symbols.size() + 1) * symbolSize).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < symbols.size(); i++) {
                long[] s = symbols.get(i);
                int at = (i + 1) * symbolSize;
                if (is64) {
                    table.putInt(at, (int) s[0]).put(at + 4, (byte) s[3]).putShort(at + 6, (short) s[4])
                            .putLong(at + 8, s[1]).putLong(at + 16, s[2]);
                } else {
                    table.putInt(at, (int) s[0]).putInt(at + 4, (int) s[1]).putInt(at + 8, (int) s[2])
                            .put(at + 12, (byte) s[3]).putShort(at + 14, (short) s[4]);
                }
            }
            byte[] strings = names.toByteArray();
            Header stringHeader = header(3, executable.length, strings.length, 0, 0);
            Header symbolHeader = header(symbolTableType, executable.length + strings.length, table.capacity(), 1,
                    symbolSize);
            stringsChange.accept(stringHeader);
            symbolsChange.accept(symbolHeader);
            int headerSize = is64 ? 64 : 40;
            Table sections = new Table();
            sections.offset = executable.length + strings.length + table.capacity();
            sections.entrySize = headerSize;
            sections.count = 3;
            tableChange.accept(sections);
            ByteBuffer headers = ByteBuffer.allocate(3 * headerSize).order(ByteOrder.LITTLE_ENDIAN);
            put(headers, headerSize, stringHeader);
            put(headers, 2 * headerSize, symbolHeader);
            ByteBuffer file = ByteBuffer.allocate((int) (executable.length + strings.length + table.capacity()
                    + headers.capacity())).order(ByteOrder.LITTLE_ENDIAN);
            file.put(executable).put(strings).put(table.array()).put(headers.array());
            if (is64) {
                file.putLong(40, sections.offset).putShort(58, (short) sections.entrySize)
                        .putShort(60, (short) sections.count);
            } else {
                file.putInt(32, (int) sections.offset).putShort(46, (short) sections.entrySize)
                        .putShort(48, (short) sections.count);
            }
            return file.array();
        }

        private static Header header(int type, long offset, long size, long link, long entrySize) {
            Header header = new Header();
            header.type = type;
            header.offset = offset;
            header.size = size;
            header.link = link;
            header.entrySize = entrySize;
            return header;
        }

        private void put(ByteBuffer out, int at, Header h) {
            if (is64) {
                out.putInt(at + 4, h.type).putLong(at + 24, h.offset).putLong(at + 32, h.size)
                        .putInt(at + 40, (int) h.link).putLong(at + 56, h.entrySize);
            } else {
                out.putInt(at + 4, h.type).putInt(at + 16, (int) h.offset).putInt(at + 20, (int) h.size)
                        .putInt(at + 24, (int) h.link).putInt(at + 36, (int) h.entrySize);
            }
        }
    }
}

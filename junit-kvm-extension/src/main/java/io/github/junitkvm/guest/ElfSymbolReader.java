package io.github.junitkvm.guest;

import io.github.junitkvm.GuestSymbol;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the defined symbols of an ELF file: the section headers, the symbol table
 * ({@code SHT_SYMTAB}, or {@code SHT_DYNSYM} when there is none) and the string table its
 * {@code sh_link} names. Every offset, size and index comes from a file that may lie: sizes and
 * offsets are unsigned, each table is read only as far as the file really has bytes, no table is
 * larger than {@link #MAX_TABLE}, and every name lies inside its string table.
 */
final class ElfSymbolReader {
    /** The largest symbol or string table read: some 2.8 million ELF64 symbols. */
    static final int MAX_TABLE = 64 << 20;
    private static final int SHT_SYMTAB = 2;
    private static final int SHT_STRTAB = 3;
    private static final int SHT_DYNSYM = 11;
    private static final int SECTION_HEADER_SIZE_32 = 40;
    private static final int SECTION_HEADER_SIZE_64 = 64;
    private static final int SYMBOL_SIZE_32 = 16;
    private static final int SYMBOL_SIZE_64 = 24;
    private static final int SHN_UNDEF = 0;
    private static final int STT_NOTYPE = 0;
    private static final int STT_OBJECT = 1;
    private static final int STT_FUNC = 2;
    private static final int STB_LOCAL = 0;

    private ElfSymbolReader() {
    }

    /**
     * @param file the ELF file
     * @param sections where its section headers are
     * @param segments its loadable segments, which symbols' addresses are moved with
     * @return the defined functions, objects and labels
     * @throws InvalidImageException if the file has no symbol table, or its section headers or
     *     tables are malformed or truncated
     * @throws IOException if the file cannot be read
     */
    static SymbolTable read(ImageFile file, ElfSections sections, List<ElfImage.Loadable> segments)
            throws IOException {
        try (FileRanges ranges = new FileRanges(file)) {
            List<Section> headers = readSectionHeaders(ranges, sections);
            Section table = headers.stream().filter(s -> s.type() == SHT_SYMTAB).findFirst()
                    .or(() -> headers.stream().filter(s -> s.type() == SHT_DYNSYM).findFirst())
                    .orElseThrow(() -> new InvalidImageException("the ELF file has no symbol table (.symtab or"
                            + " .dynsym): it was stripped; link it without -s and do not strip it"));
            String name = table.type() == SHT_SYMTAB ? ".symtab" : ".dynsym";
            int symbolSize = sections.is64() ? SYMBOL_SIZE_64 : SYMBOL_SIZE_32;
            if (Long.compareUnsigned(table.entrySize(), symbolSize) < 0) {
                throw new InvalidImageException(String.format("%s (section %d) has entries of %d bytes, fewer than the"
                        + " %d of an ELF%s symbol", name, table.index(), table.entrySize(), symbolSize,
                        sections.is64() ? "64" : "32"));
            }
            if (Long.compareUnsigned(table.link(), headers.size()) >= 0) {
                throw new InvalidImageException(String.format("%s (section %d) names string table section %d, but"
                        + " there are %d sections", name, table.index(), table.link(), headers.size()));
            }
            Section strings = headers.get((int) table.link());
            if (strings.type() != SHT_STRTAB) {
                throw new InvalidImageException(String.format("%s (section %d) names section %d as its string table,"
                        + " which is of type %d, not SHT_STRTAB (3)", name, table.index(), strings.index(),
                        strings.type()));
            }
            byte[] symbols = readTable(ranges, table, name);
            byte[] names = readTable(ranges, strings, "its string table");
            return new SymbolTable(name, parse(symbols, names, table, sections.is64(), segments, name));
        }
    }

    private static List<Section> readSectionHeaders(FileRanges ranges, ElfSections sections) throws IOException {
        if (sections.count() == 0 || sections.offset() == 0) {
            throw new InvalidImageException("the ELF file has no section headers (e_shnum = 0), so no symbol table:"
                    + " it was stripped of them");
        }
        int minimum = sections.is64() ? SECTION_HEADER_SIZE_64 : SECTION_HEADER_SIZE_32;
        if (sections.entrySize() < minimum) {
            throw new InvalidImageException(String.format("section header entry size %d is below the %d bytes of an"
                    + " ELF%s section header", sections.entrySize(), minimum, sections.is64() ? "64" : "32"));
        }
        List<Section> headers = new ArrayList<>();
        for (int i = 0; i < sections.count(); i++) {
            // Unsigned; it cannot wrap, since an offset of 2^63 or more already ends the first read.
            byte[] entry = ranges.read(sections.offset() + (long) i * sections.entrySize(), minimum);
            if (entry.length < minimum) {
                throw new InvalidImageException(String.format("truncated ELF file: %d bytes end before the %d section"
                        + " headers at offset 0x%x", ranges.length(), sections.count(), sections.offset()));
            }
            ByteBuffer in = ByteBuffer.wrap(entry).order(ByteOrder.LITTLE_ENDIAN);
            headers.add(sections.is64()
                    ? new Section(i, in.getInt(4), in.getLong(24), in.getLong(32), Integer.toUnsignedLong(in.getInt(40)),
                            in.getLong(56))
                    : new Section(i, in.getInt(4), Integer.toUnsignedLong(in.getInt(16)),
                            Integer.toUnsignedLong(in.getInt(20)), Integer.toUnsignedLong(in.getInt(24)),
                            Integer.toUnsignedLong(in.getInt(36))));
        }
        return headers;
    }

    private static byte[] readTable(FileRanges ranges, Section section, String what) throws IOException {
        if (Long.compareUnsigned(section.size(), MAX_TABLE) > 0) {
            throw new InvalidImageException(String.format("%s (section %d) claims 0x%x bytes, more than the %d MiB"
                    + " a symbol or string table may have", what, section.index(), section.size(), MAX_TABLE >> 20));
        }
        byte[] bytes = ranges.read(section.offset(), (int) section.size());
        if (bytes.length < section.size()) {
            throw new InvalidImageException(String.format("truncated ELF file: %d bytes end before %s (section %d,"
                    + " 0x%x bytes at offset 0x%x)", ranges.length(), what, section.index(), section.size(),
                    section.offset()));
        }
        return bytes;
    }

    private static List<SymbolTable.Entry> parse(byte[] symbols, byte[] names, Section table, boolean is64,
                                                 List<ElfImage.Loadable> segments, String tableName) {
        ByteBuffer in = ByteBuffer.wrap(symbols).order(ByteOrder.LITTLE_ENDIAN);
        // At least the size of one symbol (checked), and the table at most MAX_TABLE: an int.
        int stride = (int) table.entrySize();
        int count = symbols.length / stride;
        List<SymbolTable.Entry> entries = new ArrayList<>();
        for (int i = 1; i < count; i++) { // symbol 0 is the undefined symbol
            int at = i * stride;
            long nameOffset = Integer.toUnsignedLong(in.getInt(at));
            int info = Byte.toUnsignedInt(in.get(at + (is64 ? 4 : 12)));
            int sectionIndex = Short.toUnsignedInt(in.getShort(at + (is64 ? 6 : 14)));
            long value = is64 ? in.getLong(at + 8) : Integer.toUnsignedLong(in.getInt(at + 4));
            long size = is64 ? in.getLong(at + 16) : Integer.toUnsignedLong(in.getInt(at + 8));
            GuestSymbol.Kind kind = switch (info & 0xf) {
                case STT_FUNC -> GuestSymbol.Kind.FUNCTION;
                case STT_OBJECT -> GuestSymbol.Kind.OBJECT;
                case STT_NOTYPE -> GuestSymbol.Kind.LABEL;
                default -> null; // sections, files, TLS and the like name nothing to call or read
            };
            if (sectionIndex == SHN_UNDEF || kind == null || nameOffset == 0) {
                continue;
            }
            String name = name(names, nameOffset, i, tableName);
            entries.add(new SymbolTable.Entry(new GuestSymbol(name, loadedAt(value, segments), size, kind),
                    info >>> 4 != STB_LOCAL));
        }
        return entries;
    }

    private static String name(byte[] names, long offset, int symbol, String tableName) {
        if (offset >= names.length) {
            throw new InvalidImageException(String.format("symbol %d of %s has its name at offset 0x%x, outside its"
                    + " string table of 0x%x bytes", symbol, tableName, offset, names.length));
        }
        int end = (int) offset;
        while (end < names.length && names[end] != 0) {
            end++;
        }
        if (end == names.length) {
            throw new InvalidImageException(String.format("symbol %d of %s has a name at offset 0x%x that runs to the"
                    + " end of its string table without a terminating NUL", symbol, tableName, offset));
        }
        return new String(names, (int) offset, end - (int) offset, StandardCharsets.UTF_8);
    }

    /**
     * A symbol's value is a virtual address; the loader put its segment at the physical address.
     * Values in no segment (absolute symbols, {@code _end} past the last byte) stay as they are.
     */
    private static long loadedAt(long value, List<ElfImage.Loadable> segments) {
        for (ElfImage.Loadable segment : segments) {
            long offset = value - segment.virtualAddress();
            if (Long.compareUnsigned(offset, segment.memorySize()) <= 0) {
                return segment.address() + offset;
            }
        }
        return value;
    }

    /**
     * A section header, as far as symbols need it.
     *
     * @param index its index in the table
     * @param type {@code sh_type}
     * @param offset {@code sh_offset}, unsigned
     * @param size {@code sh_size}, unsigned
     * @param link {@code sh_link}: for a symbol table, its string table's index
     * @param entrySize {@code sh_entsize}, unsigned
     */
    private record Section(int index, int type, long offset, long size, long link, long entrySize) {
    }
}

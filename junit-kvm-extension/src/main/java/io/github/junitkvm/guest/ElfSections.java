package io.github.junitkvm.guest;

/**
 * Where an ELF file's section header table is, as its ELF header says: read only when a test
 * asks for symbols, since loading needs the program headers alone.
 *
 * @param is64 whether the file is ELF64, which sets the sizes of section headers and symbols
 * @param offset the table's offset in the file ({@code e_shoff}), unsigned; 0 if there is none
 * @param entrySize the size of one section header ({@code e_shentsize})
 * @param count how many section headers there are ({@code e_shnum}); 0 if there are none
 */
record ElfSections(boolean is64, long offset, int entrySize, int count) {
}

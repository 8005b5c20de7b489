package io.github.junitkvm;

/**
 * A symbol of the guest's ELF image, from its symbol table ({@code .symtab}, or {@code .dynsym}
 * when the image has no {@code .symtab}): {@link KvmVm#symbol(String)}.
 *
 * @param name the symbol's name
 * @param address its guest physical address: where the loader put it. A symbol in a segment whose
 *     virtual address ({@code p_vaddr}) differs from its physical one ({@code p_paddr}) is moved
 *     with the segment
 * @param size the size the symbol table gives ({@code st_size}), 0 if it gives none
 * @param kind what the symbol names
 */
public record GuestSymbol(String name, long address, long size, Kind kind) {
    /** What a symbol names, from its type in the symbol table ({@code STT_*}). */
    public enum Kind {
        /** Code: {@code STT_FUNC}, as a compiler marks a function. */
        FUNCTION,
        /** Data: {@code STT_OBJECT}, a variable or table. */
        OBJECT,
        /** Untyped: {@code STT_NOTYPE}, as an assembler marks a plain label, which may be code or data. */
        LABEL
    }
}

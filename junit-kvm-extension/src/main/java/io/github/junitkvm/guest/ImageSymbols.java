package io.github.junitkvm.guest;

import io.github.junitkvm.GuestSymbol;
import io.github.junitkvm.GuestText;
import io.github.junitkvm.KvmGuestConfigurationException;
import java.io.IOException;

/**
 * The symbols of a guest's image: those of its ELF file's symbol table, read when a test first
 * asks for one (loading needs only the program headers, and most tests ask for none), or none,
 * with the reason, for code given as hex, {@code asm} or a flat binary.
 */
public final class ImageSymbols {
    private final String attribute;
    private final Reading reading;
    /** The table once read, or why it could not be; guarded by this. */
    private SymbolTable table;
    private RuntimeException unreadable;

    private ImageSymbols(String attribute, Reading reading) {
        this.attribute = attribute;
        this.reading = reading;
    }

    /**
     * @param source where the code comes from, as a message names it ({@code @KvmGuest(code)})
     * @return symbols of a guest whose image has none
     */
    public static ImageSymbols none(String source) {
        return new ImageSymbols(source, null);
    }

    /**
     * @param resource the ELF file
     * @param elf its headers, as read to load it
     * @return the file's symbols, read on first use
     */
    static ImageSymbols of(Resource resource, ElfImage elf) {
        return new ImageSymbols(resource.attribute(), () -> {
            try {
                return elf.symbols(resource);
            } catch (IOException e) {
                throw resource.unreadable(e);
            }
        });
    }

    /**
     * @param name a symbol's name
     * @return the symbol
     * @throws IllegalStateException if the image has no symbol table (its code is not an ELF file)
     * @throws IllegalArgumentException if the table has no such symbol, or only local ones at
     *     different addresses; the message lists similar names
     * @throws KvmGuestConfigurationException if the ELF file's symbol table cannot be read
     */
    public GuestSymbol find(String name) {
        if (reading == null) {
            throw new IllegalStateException(String.format("no symbol \"%s\": the guest's code comes from %s, which"
                    + " has no symbol table; symbols come from an ELF executable, @KvmGuest(resource = \"....elf\")",
                    GuestText.escape(name), attribute));
        }
        try {
            return table().find(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("@KvmGuest(" + attribute + "): " + e.getMessage(), e);
        }
    }

    private synchronized SymbolTable table() {
        if (table == null && unreadable == null) {
            try {
                table = reading.read();
            } catch (InvalidImageException e) {
                unreadable = new KvmGuestConfigurationException("@KvmGuest(" + attribute + "): symbols: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                unreadable = e;
            }
        }
        if (unreadable != null) {
            throw unreadable;
        }
        return table;
    }

    /** Reads the symbol table. */
    @FunctionalInterface
    private interface Reading {
        SymbolTable read();
    }
}

package io.github.junitkvm.guest;

import io.github.junitkvm.GuestSymbol;
import io.github.junitkvm.GuestText;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The defined symbols of an ELF image, by name. A global or weak symbol wins over local ones of
 * the same name (a {@code static} function of another file); a name that only local symbols at
 * different addresses have is ambiguous, and looking it up says so.
 */
final class SymbolTable {
    /** How many similar names a missing symbol's message suggests. */
    static final int SUGGESTIONS = 5;
    /**
     * The most names compared by edit distance for suggestions; a larger table (a file's claim, or
     * a very large program) is searched for names containing the one asked for only, so that a
     * missing symbol costs no more than some milliseconds.
     */
    static final int EDIT_DISTANCE_LIMIT = 100_000;
    /** How much of each name the edit distance compares. */
    private static final int COMPARED_LENGTH = 64;

    private final String section;
    private final Map<String, List<Entry>> byName = new HashMap<>();

    /**
     * @param section the section the symbols came from ({@code .symtab} or {@code .dynsym}), as
     *     messages name it
     * @param entries the defined symbols, in table order
     */
    SymbolTable(String section, List<Entry> entries) {
        this.section = section;
        for (Entry entry : entries) {
            byName.computeIfAbsent(entry.symbol().name(), name -> new ArrayList<>()).add(entry);
        }
    }

    /** @return how many names the table has */
    int size() {
        return byName.size();
    }

    /**
     * @param name a symbol's name
     * @return the symbol
     * @throws IllegalArgumentException if the table has no such symbol (the message lists similar
     *     names), or only local ones at different addresses
     */
    GuestSymbol find(String name) {
        List<Entry> entries = byName.get(name);
        if (entries == null) {
            throw new IllegalArgumentException(String.format("no symbol \"%s\" in the %s of %d names%s",
                    GuestText.escape(name), section, byName.size(), suggestions(name)));
        }
        List<Entry> global = entries.stream().filter(Entry::global).toList();
        List<Entry> candidates = global.isEmpty() ? entries : global;
        List<Long> addresses = candidates.stream().map(entry -> entry.symbol().address()).distinct().toList();
        if (addresses.size() > 1) {
            throw new IllegalArgumentException(String.format("symbol \"%s\" is ambiguous: the %s has %d %s symbols of"
                    + " that name, at %s", GuestText.escape(name), section, candidates.size(),
                    global.isEmpty() ? "local" : "global", addresses.stream().map(a -> String.format("0x%x", a))
                            .collect(Collectors.joining(", "))));
        }
        return candidates.get(0).symbol();
    }

    /** Names that contain the one asked for, or are within a few edits of it, closest first. */
    private String suggestions(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        int tolerance = Math.max(2, wanted.length() / 3);
        boolean editDistance = byName.size() <= EDIT_DISTANCE_LIMIT;
        List<String> near = byName.keySet().stream()
                .map(candidate -> Map.entry(candidate, distance(wanted, candidate.toLowerCase(Locale.ROOT),
                        editDistance ? tolerance : 1)))
                .filter(scored -> scored.getValue() <= tolerance)
                .sorted(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .limit(SUGGESTIONS).map(Map.Entry::getKey).map(GuestText::escape).toList();
        return near.isEmpty() ? "" : "; similar: " + String.join(", ", near);
    }

    /**
     * Edit distance, with containment counting as close ({@code adler} is near {@code adler32_z}),
     * computed only for names whose lengths differ by at most {@code tolerance}, on their first
     * {@link #COMPARED_LENGTH} characters; others are farther than the tolerance.
     */
    private static int distance(String wanted, String candidate, int tolerance) {
        if (!wanted.isEmpty() && (candidate.contains(wanted) || wanted.contains(candidate) && !candidate.isEmpty())) {
            return 1;
        }
        if (tolerance <= 1 || Math.abs(wanted.length() - candidate.length()) > tolerance) {
            return Integer.MAX_VALUE;
        }
        String a = wanted.length() > COMPARED_LENGTH ? wanted.substring(0, COMPARED_LENGTH) : wanted;
        String b = candidate.length() > COMPARED_LENGTH ? candidate.substring(0, COMPARED_LENGTH) : candidate;
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** @return the symbols, by address, for tests */
    List<GuestSymbol> symbols() {
        return byName.values().stream().flatMap(List::stream).map(Entry::symbol)
                .sorted(Comparator.comparingLong(GuestSymbol::address).thenComparing(GuestSymbol::name)).toList();
    }

    /**
     * A defined symbol as the table has it.
     *
     * @param symbol the symbol, its address where it is loaded
     * @param global whether it binds globally or weakly, rather than locally
     */
    record Entry(GuestSymbol symbol, boolean global) {
    }
}

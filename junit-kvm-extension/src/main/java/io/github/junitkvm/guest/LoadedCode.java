package io.github.junitkvm.guest;

import java.util.List;

/**
 * The code that goes into RAM and where it starts.
 *
 * @param image the segments
 * @param entry the entry point, used as rip unless the test gives one
 * @param entryAttribute where the entry point came from, as error messages name it
 * @param symbols the code's symbols
 */
record LoadedCode(List<ImageSegment> image, long entry, String entryAttribute, ImageSymbols symbols) {
}

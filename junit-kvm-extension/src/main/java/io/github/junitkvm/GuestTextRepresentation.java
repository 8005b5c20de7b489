package io.github.junitkvm;

import org.assertj.core.presentation.StandardRepresentation;

/**
 * AssertJ's representation, but for text from the guest: its line breaks, control characters and
 * bidi controls are escaped ({@link GuestText#escape}), so that a failure message cannot forge
 * lines in a build log.
 */
final class GuestTextRepresentation extends StandardRepresentation {
    static final GuestTextRepresentation INSTANCE = new GuestTextRepresentation();

    private GuestTextRepresentation() {
    }

    @Override
    protected String toStringOf(String text) {
        return super.toStringOf(GuestText.escape(text));
    }
}

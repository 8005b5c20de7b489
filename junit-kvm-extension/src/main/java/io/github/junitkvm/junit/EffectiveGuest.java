package io.github.junitkvm.junit;

import io.github.junitkvm.KvmGuest;
import java.lang.reflect.AnnotatedElement;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Finds the {@link KvmGuest} that applies to a test: the method's own (direct or through a
 * meta-annotation), else its class's (inherited from a superclass too), else that of an enclosing
 * class of a {@code @Nested} test class. A method's annotation replaces the class's whole; the
 * attributes are not merged, so what a test runs can be read off one annotation.
 */
public final class EffectiveGuest {
    private EffectiveGuest() {
    }

    /**
     * @param context a test's, or a test class's, extension context
     * @return the applicable annotation, if any
     */
    public static Optional<KvmGuest> of(ExtensionContext context) {
        Optional<KvmGuest> onMethod = context.getTestMethod().flatMap(EffectiveGuest::find);
        if (onMethod.isPresent()) {
            return onMethod;
        }
        for (Class<?> type = context.getTestClass().orElse(null); type != null; type = type.getEnclosingClass()) {
            Optional<KvmGuest> onType = find(type);
            if (onType.isPresent()) {
                return onType;
            }
        }
        return Optional.empty();
    }

    private static Optional<KvmGuest> find(AnnotatedElement element) {
        return AnnotationSupport.findAnnotation(element, KvmGuest.class);
    }
}

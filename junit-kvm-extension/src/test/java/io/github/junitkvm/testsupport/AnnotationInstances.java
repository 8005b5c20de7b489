package io.github.junitkvm.testsupport;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * Makes annotation instances with chosen attribute values at run time, so that tests can feed
 * {@code @KvmGuest} values no source file would hold (random ones, for fuzzing). Attributes not
 * given keep their declared defaults.
 */
public final class AnnotationInstances {
    private AnnotationInstances() {
    }

    /**
     * @param type the annotation type
     * @param values attribute name to value, of the attribute's type (arrays and nested annotations
     *     included)
     * @param <A> the annotation type
     * @return an instance answering those values and the defaults for the rest
     */
    public static <A extends Annotation> A of(Class<A> type, Map<String, Object> values) {
        for (String name : values.keySet()) {
            try {
                type.getDeclaredMethod(name);
            } catch (NoSuchMethodException e) {
                throw new IllegalArgumentException("@" + type.getSimpleName() + " has no attribute " + name, e);
            }
        }
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, arguments) -> answer(type, values, proxy, method, arguments)));
    }

    private static Object answer(Class<? extends Annotation> type, Map<String, Object> values, Object proxy,
                                 Method method, Object[] arguments) {
        return switch (method.getName()) {
            case "annotationType" -> type;
            case "toString" -> "@" + type.getSimpleName() + values;
            case "hashCode" -> System.identityHashCode(proxy);
            // Only the readers under test call these instances: identity is equality enough.
            case "equals" -> proxy == arguments[0];
            default -> values.containsKey(method.getName()) ? values.get(method.getName()) : method.getDefaultValue();
        };
    }
}

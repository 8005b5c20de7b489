package io.github.junitkvm.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.condition.DisabledIf;

/**
 * Disables a {@code PAGED}-mode test where its guest would run on PVM ({@link KvmHost#testsRunOnPvm()}),
 * which keeps CR0.PG only in long mode; {@code PvmPagingTest} pins that behaviour instead.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@DisabledIf(value = "io.github.junitkvm.testsupport.KvmHost#testsRunOnPvm",
            disabledReason = "PVM keeps CR0.PG only in long mode; PvmPagingTest pins that")
public @interface DisabledOnPvm {
}

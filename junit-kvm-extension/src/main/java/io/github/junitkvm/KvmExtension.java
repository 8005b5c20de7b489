package io.github.junitkvm;

import org.junit.jupiter.api.extension.Extension;

/** The JUnit Jupiter extension behind {@link KvmGuest}. */
public class KvmExtension implements Extension {
}

/**
 * Long-running robustness tests, tagged {@code long} and run by the {@code long-tests} Maven profile
 * (which CI enables): random code and random configurations, thousands of VM lifecycles with their
 * file descriptors, mappings and memory watched, and many guests at once under JUnit's parallel
 * execution. Each runs on whichever backend {@code junitkvm.backend} selects.
 */
package io.github.junitkvm.robustness;

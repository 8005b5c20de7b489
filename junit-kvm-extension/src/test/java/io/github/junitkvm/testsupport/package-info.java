/** Helpers shared by the project's own tests. */
package io.github.junitkvm.testsupport;

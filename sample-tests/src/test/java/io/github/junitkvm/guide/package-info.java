/**
 * Checks on the guide ({@code docs/}) and the README: every code example there is a tagged region
 * of a sample that the build compiles and runs, so the examples cannot drift from working code.
 */
package io.github.junitkvm.guide;

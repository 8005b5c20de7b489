/**
 * Sample suites, written as a user of junit-kvm would: start here and copy. Each guest's assembly
 * source stands next to its machine code.
 */
package io.github.junitkvm.samples;

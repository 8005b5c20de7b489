/**
 * The benchmark harness: what a {@code @KvmGuest} test costs on each backend, measured in one JVM
 * against baselines run in the same session on the same machine (C loops on {@code /dev/kvm} and
 * libunicorn, one {@code qemu-system-x86_64} process per test), printed as ratios against the
 * targets and written to a CSV file from which the chart is drawn.
 *
 * <p>{@link io.github.junitkvm.bench.BenchMain} measures one backend in one environment;
 * {@link io.github.junitkvm.bench.ReportMain} combines the CSV files of several into the table and
 * the chart. {@code tools/bench} runs both.
 */
package io.github.junitkvm.bench;

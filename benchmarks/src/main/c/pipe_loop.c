/*
 * The baseline of the emulator's round trip: two C processes passing a request and its reply over
 * a pair of pipes, as the emulator's test JVM and worker do, with nothing else to do.
 *
 * Usage: pipe_loop COUNT REQUEST_BYTES REPLY_BYTES
 * Output: ns=N (time of COUNT round trips), count=COUNT. Failures print "error: ..." and exit 1.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_MESSAGE 65536

static char buffer[MAX_MESSAGE];

static void die(const char *what) {
    fprintf(stderr, "error: %s\n", what);
    exit(1);
}

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static long number(const char *text, long most) {
    char *end;
    long value = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || value <= 0 || value > most) {
        die("COUNT, REQUEST_BYTES and REPLY_BYTES must be positive numbers, messages at most 65536 bytes");
    }
    return value;
}

/* Reads exactly length bytes, as a reader of a framed message does; 0 at the end of the pipe. */
static int read_message(int fd, size_t length) {
    size_t done = 0;
    while (done < length) {
        ssize_t n = read(fd, buffer + done, length - done);
        if (n == 0) {
            return 0;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("read");
        }
        done += (size_t)n;
    }
    return 1;
}

static void write_message(int fd, size_t length) {
    if (write(fd, buffer, length) != (ssize_t)length) {
        die("write");
    }
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s COUNT REQUEST_BYTES REPLY_BYTES\n", argv[0]);
        return 2;
    }
    long count = number(argv[1], 1000000000L);
    size_t request = (size_t)number(argv[2], MAX_MESSAGE);
    size_t reply = (size_t)number(argv[3], MAX_MESSAGE);
    int to_worker[2], to_parent[2];
    if (pipe(to_worker) != 0 || pipe(to_parent) != 0) {
        die("pipe");
    }
    pid_t worker = fork();
    if (worker < 0) {
        die("fork");
    }
    if (worker == 0) {
        close(to_worker[1]);
        close(to_parent[0]);
        while (read_message(to_worker[0], request)) {
            write_message(to_parent[1], reply);
        }
        _exit(0);
    }
    close(to_worker[0]);
    close(to_parent[1]);
    uint64_t start = now_ns();
    for (long i = 0; i < count; i++) {
        write_message(to_worker[1], request);
        if (!read_message(to_parent[0], reply)) {
            die("the worker ended early");
        }
    }
    uint64_t elapsed = now_ns() - start;
    close(to_worker[1]);
    waitpid(worker, NULL, 0);
    printf("ns=%llu\ncount=%ld\n", (unsigned long long)elapsed, count);
    return 0;
}

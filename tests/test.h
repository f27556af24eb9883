/* tests/test.h - the project's tiny test harness (C99 and C++).

     CHECK(cond, fmt, ...)   one test: passes if cond is true; on failure prints
                             "FAIL file:line: <message>" (fmt is printf-style and required)
     CHECK_EQ_INT(a, b, what)  CHECK that two integers are equal, printing both
     test_section(name)      prints "== name" so a failure's context is easy to find
     test_run(name, fn)      runs void fn(void) as a section: on POSIX systems in a forked
                             child, so that a crash (segfault, abort, sanitizer report) is
                             one failure naming the section and the other sections still
                             run; LN_TEST_NOFORK=1 runs it in-process (for a debugger),
                             LN_TEST_ONLY=text runs only the sections whose name has text
                             (a,b: has a or b)
     test_quick()            1 when the environment sets LN_TEST_QUICK=1 (smaller sizes,
                             for slow builds such as the sanitizer run), 2 with
                             LN_TEST_QUICK=2 (smaller still: no rows of 64K columns or
                             4K rows, for emulated x87)
     return test_summary();  from main: prints "N passed, M failed" as the LAST line of
                             stdout and returns the exit status (nonzero on any failure)

   One test file = one translation unit including this header; the counters are static.
   Failures go to stdout (not stderr) so that they stay in order with the summary line;
   after 200 printed failures the rest are only counted, to keep logs readable. */
#ifndef LN_TEST_H
#define LN_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__unix__) || defined(__APPLE__)
#define T_HAVE_FORK 1
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

#if defined(__MINGW32__) /* MinGW: "printf" would mean msvcrt's, which lacks %zu */
#define T_UNUSED __attribute__((unused))
#define T_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#elif defined(__GNUC__) || defined(__clang__)
#define T_UNUSED __attribute__((unused))
#define T_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define T_UNUSED
#define T_PRINTF(f, a)
#endif

static long t_pass_count = 0;
static long t_fail_count = 0;

static T_UNUSED T_PRINTF(4, 5) int t_check(int ok, const char *file, int line,
                                           const char *fmt, ...)
{
    if (ok) {
        t_pass_count++;
        return 1;
    }
    t_fail_count++;
    if (t_fail_count <= 200) {
        va_list ap;
        printf("FAIL %s:%d: ", file, line);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("\n");
        fflush(stdout);
    } else if (t_fail_count == 201) {
        printf("(further failures are counted but not printed)\n");
    }
    return 0;
}

/* Evaluates to 1 if the check passed, so a test can stop early: if (!CHECK(...)) return; */
#define CHECK(cond, ...) t_check((cond) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_EQ_INT(a, b, what)                                                        \
    CHECK((long long)(a) == (long long)(b), "%s: got %lld, expected %lld", (what),      \
          (long long)(a), (long long)(b))

static T_UNUSED void test_section(const char *name)
{
    printf("== %s\n", name);
    fflush(stdout);
}

static T_UNUSED int test_quick(void)
{
    const char *q = getenv("LN_TEST_QUICK");
    return q == NULL || q[0] == '\0' || q[0] == '0' ? 0 : q[0] == '2' ? 2 : 1;
}

/* v is neither infinite nor NaN, read off its bits: unlike isfinite() or
   fabs(v) <= DBL_MAX, not folded to a constant in the -ffast-math builds (fp_checks.h) */
static T_UNUSED int t_finite(double v)
{
    unsigned long long u; /* IEEE binary64: exponent all ones = Inf or NaN */
    memcpy(&u, &v, sizeof u);
    return ((u >> 52) & 0x7ffu) != 0x7ffu;
}

typedef void (*test_fn)(void);

static T_UNUSED void test_run(const char *name, test_fn fn)
{
    /* LN_TEST_ONLY: run only the sections whose name contains one of these
       comma-separated parts */
    const char *only = getenv("LN_TEST_ONLY");
    if (only != NULL && only[0] != '\0') {
        int hit = 0;
        while (!hit && *only) {
            const char *end = strchr(only, ',');
            size_t len = end ? (size_t)(end - only) : strlen(only), k;
            for (k = 0; !hit && len > 0 && name[k]; k++)
                hit = strncmp(name + k, only, len) == 0;
            only = end ? end + 1 : only + len;
        }
        if (!hit) return;
    }
    test_section(name);
#ifdef T_HAVE_FORK
    {
        const char *nf = getenv("LN_TEST_NOFORK");
        int fd[2];
        pid_t pid;
        if (!(nf != NULL && nf[0] != '\0' && nf[0] != '0') && (fflush(stdout), fflush(stderr),
                                                               pipe(fd) == 0)) {
            pid = fork();
            if (pid == 0) { /* child: run the section, report its counts through the pipe */
                long c[2];
                close(fd[0]);
                clock_t t0 = clock();
                t_pass_count = 0;
                t_fail_count = 0;
                fn();
                printf("   (%.2f s cpu)\n", (double)(clock() - t0) / CLOCKS_PER_SEC);
                c[0] = t_pass_count;
                c[1] = t_fail_count;
                fflush(stdout);
                if (write(fd[1], c, sizeof c) != (ssize_t)sizeof c) _exit(3);
                close(fd[1]);
                exit(0); /* exit, not _exit: sanitizers' leak checks run at exit */
            }
            if (pid > 0) {
                long c[2] = {0, 0};
                int status = 0;
                ssize_t got;
                close(fd[1]);
                got = read(fd[0], c, sizeof c);
                close(fd[0]);
                waitpid(pid, &status, 0);
                if (got == (ssize_t)sizeof c) {
                    t_pass_count += c[0];
                    t_fail_count += c[1];
                }
                if (got != (ssize_t)sizeof c || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
                    t_check(0, __FILE__, __LINE__,
                            "section \"%s\" crashed or failed at exit (%s %d)%s", name,
                            WIFSIGNALED(status) ? "signal" : "exit status",
                            WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
                            got == (ssize_t)sizeof c ? "" : "; its counts are lost");
                return;
            }
            close(fd[0]);
            close(fd[1]);
        }
    }
#endif
    fn();
}

/* dy that tells dγ/dβ row chunkings apart: +2^66 in slice 0 and −2^66 in slice
   5·count/8 (count slices of len floats: rows, or channels-first outer slices). A double
   sum over the rows absorbs the N(0,1) values between the two, or not, depending on where
   a chunk starts, so the float outputs differ when the chunks do; with N(0,1) alone the
   double sums of different chunkings round to the same floats. Fewer than 8 slices: left
   alone. */
static T_UNUSED void test_plant_cancelling(float *dy, size_t count, size_t len)
{
    size_t j;
    if (count < 8) return;
    for (j = 0; j < len; j++) {
        dy[j] = 0x1p66f;
        dy[count * 5 / 8 * len + j] = -0x1p66f;
    }
}

static T_UNUSED int test_summary(void)
{
    printf("%ld passed, %ld failed\n", t_pass_count, t_fail_count);
    fflush(stdout);
    return t_fail_count == 0 && t_pass_count > 0 ? 0 : 1;
}

#endif /* LN_TEST_H */

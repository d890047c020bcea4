/* tap.h -- a minimal TAP producer for the C unit tests. Each TEST_CASE is one
 * TAP test point ("ok N - name"); failed checks inside it print diagnostics
 * ("# file:line: ...") and make the point "not ok". automake's tap-driver.sh
 * counts the points, so the suite summary counts test cases, not programs. */
#ifndef MW_TAP_H
#define MW_TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_fail_case, tap_any_fail;

#define TEST_BEGIN(name) do { tap_fail_case = 0; const char *tap_name_ = (name);
#define TEST_END() tap_n++; printf("%s %d - %s\n", tap_fail_case ? "not ok" : "ok", tap_n, tap_name_); \
    if (tap_fail_case) tap_any_fail = 1; } while (0)

/* A test point that cannot run here: "ok N - name # SKIP why". */
#define TEST_SKIP(name, why) do { tap_n++; printf("ok %d - %s # SKIP %s\n", tap_n, (name), (why)); } while (0)

#define CHECK(cond) do { if (!(cond)) { tap_fail_case = 1; \
    printf("# %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)

#define CHECK_EQ(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); if (a_ != b_) { \
    tap_fail_case = 1; printf("# %s:%d: %s == %lld, expected %s == %lld\n", __FILE__, __LINE__, \
    #a, a_, #b, b_); } } while (0)

#define CHECK_U64(a, b) do { uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b); if (a_ != b_) { \
    tap_fail_case = 1; printf("# %s:%d: %s == %" PRIu64 ", expected %" PRIu64 "\n", __FILE__, \
    __LINE__, #a, a_, b_); } } while (0)

#define CHECK_MEM(a, b, n) do { if (memcmp((a), (b), (n)) != 0) { tap_fail_case = 1; \
    printf("# %s:%d: %s differs from %s over %zu bytes\n", __FILE__, __LINE__, #a, #b, \
    (size_t)(n)); } } while (0)

#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); if (a_ == NULL || strcmp(a_, b_) != 0) { \
    tap_fail_case = 1; printf("# %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
    #a, a_ ? a_ : "(null)", b_); } } while (0)

/* Print the plan at the end and return the exit status. */
static inline int tap_done(void)
{
    printf("1..%d\n", tap_n);
    return tap_any_fail ? 1 : 0;
}

#endif

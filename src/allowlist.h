/* allowlist.h -- approved deployment servers, shares, domains and hosts
 * (--allowlist; DESIGN.md section 5). A match lowers an alert to
 * informational and says which entry matched; it never hides the alert.
 * File format, one entry per line, '#' starts a comment:
 *   domain deploy.corp.example     the name and every name under it
 *   host 10.1.2.3                  a server by address (or exact name)
 *   share \\fs01\packages          a UNC prefix (case-insensitive; / or \)
 *   url http://deploy.corp.example/pkgs/   a URL prefix (case-insensitive)
 *   client WIN10-ADMIN             the installing host (its first label) */
#ifndef MW_ALLOWLIST_H
#define MW_ALLOWLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "msiexec.h"

#define ALLOWLIST_MAX 4096

struct allowlist;

/* Load path. Returns NULL with err ("FILE:LINE: why") on a bad file. */
struct allowlist *allowlist_load(const char *path, char *err, size_t errlen);
void allowlist_free(struct allowlist *a);
size_t allowlist_count(const struct allowlist *a);
/* The entry (as written in the file, "kind value") that approves this
 * destination for this client host, or NULL. package is the argument as
 * written (for url and share prefixes). */
const char *allowlist_match(const struct allowlist *a, const struct msiexec_dest *d, const char *package,
                            const char *client_host);

#endif

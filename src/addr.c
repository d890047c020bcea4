/* addr.c -- text form of struct mw_addr (see addr.h). */
#include "addr.h"

#include <arpa/inet.h>
#include <sys/socket.h>

const char *mw_addr_str(const struct mw_addr *a, char *buf, size_t len)
{
    if (mw_addr_is_v4(a) && len >= 16) { /* by hand: glibc's inet_ntop formats IPv4 with sprintf */
        char *o = buf;
        for (int i = 12; i < 16; i++) {
            unsigned v = a->b[i];
            if (v >= 100)
                *o++ = (char)('0' + v / 100);
            if (v >= 10)
                *o++ = (char)('0' + v / 10 % 10);
            *o++ = (char)('0' + v % 10);
            *o++ = i < 15 ? '.' : '\0';
        }
        return buf;
    }
    const char *r = mw_addr_is_v4(a) ? inet_ntop(AF_INET, a->b + 12, buf, (socklen_t)len)
                                     : inet_ntop(AF_INET6, a->b, buf, (socklen_t)len);
    if (r == NULL && len > 0)
        buf[0] = '\0';
    return buf;
}

bool mw_addr_parse(const char *s, struct mw_addr *a)
{
    uint8_t b[16];
    char tmp[64];
    size_t n = strlen(s);
    /* "[v6]" as URLs and some forwarders write it */
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']' && n - 2 < sizeof tmp) {
        memcpy(tmp, s + 1, n - 2);
        tmp[n - 2] = '\0';
        s = tmp;
    }
    if (inet_pton(AF_INET, s, b) == 1) {
        mw_addr_from_v4(a, b);
        return true;
    }
    if (inet_pton(AF_INET6, s, b) == 1) {
        mw_addr_from_v6(a, b);   /* ::ffff:a.b.c.d lands as the IPv4 address */
        return true;
    }
    return false;
}

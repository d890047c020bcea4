/* addr.c -- text form of struct mw_addr (see addr.h). */
#include "addr.h"

#include <arpa/inet.h>
#include <sys/socket.h>

const char *mw_addr_str(const struct mw_addr *a, char *buf, size_t len)
{
    const char *r = mw_addr_is_v4(a) ? inet_ntop(AF_INET, a->b + 12, buf, (socklen_t)len)
                                     : inet_ntop(AF_INET6, a->b, buf, (socklen_t)len);
    if (r == NULL && len > 0)
        buf[0] = '\0';
    return buf;
}

#include <fcgiapp.h>
#include <fcgi_config.h>
#include <malloc.h>
#include <sys/socket.h>

/* accept4 is a GNU extension that Glibc's Swift module does not declare: a connection accepted
   with SOCK_CLOEXEC is closed on exec without a separate fcntl call per request. */
extern int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);

/* The floor for any FastCGI responder: a minimal C libfcgi program that reads the body and
 * answers 202 with a tiny JSON, single-threaded. Built and run by bench/service.sh. */
#include <fcgiapp.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: hello SOCKET\n"); return 64; }
    FCGX_Init();
    unlink(argv[1]);
    int listener = FCGX_OpenSocket(argv[1], 1024);
    if (listener < 0) { perror("FCGX_OpenSocket"); return 1; }
    chmod(argv[1], 0666);
    FCGX_Request request;
    FCGX_InitRequest(&request, listener, 0);
    char buffer[65536];
    while (FCGX_Accept_r(&request) >= 0) {
        while (FCGX_GetStr(buffer, sizeof buffer, request.in) > 0) {}
        FCGX_PutS("Status: 202 Accepted\r\nContent-Type: application/json\r\n\r\n{\"id\":\"hello\",\"status\":\"queued\"}", request.out);
        FCGX_Finish_r(&request);
    }
    return 0;
}

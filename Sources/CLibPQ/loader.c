#include "CLibPQ.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static struct {
    PGconn *(*connectdb)(const char *);
    ConnStatusType (*status)(const PGconn *);
    char *(*errorMessage)(const PGconn *);
    void (*finish)(PGconn *);
    void (*reset)(PGconn *);
    PGTransactionStatusType (*transactionStatus)(const PGconn *);
    PQnoticeProcessor (*setNoticeProcessor)(PGconn *, PQnoticeProcessor, void *);
    PGresult *(*exec)(PGconn *, const char *);
    PGresult *(*execParams)(PGconn *, const char *, int, const Oid *, const char *const *, const int *, const int *, int);
    PGresult *(*prepare)(PGconn *, const char *, const char *, int, const Oid *);
    PGresult *(*execPrepared)(PGconn *, const char *, int, const char *const *, const int *, const int *, int);
    ExecStatusType (*resultStatus)(const PGresult *);
    char *(*resultErrorMessage)(const PGresult *);
    char *(*resultErrorField)(const PGresult *, int);
    int (*ntuples)(const PGresult *);
    int (*nfields)(const PGresult *);
    char *(*getvalue)(const PGresult *, int, int);
    int (*getisnull)(const PGresult *, int, int);
    char *(*cmdTuples)(PGresult *);
    void (*clear)(PGresult *);
    int (*socket)(const PGconn *);
    int (*consumeInput)(PGconn *);
    PGnotify *(*notifies)(PGconn *);
    void (*freemem)(void *);
} pq;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512];

#define LOOKUP(handle, field, symbol) \
    if (!(*(void **)&pq.field = dlsym(handle, symbol))) { snprintf(failure, sizeof failure, "libpq has no %s", symbol); return; }

static void load(void) {
    void *handle = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        snprintf(failure, sizeof failure, "cannot load libpq.so.5 (install the PostgreSQL client library: apt-get install libpq5): %s", dlerror());
        return;
    }
    LOOKUP(handle, connectdb, "PQconnectdb")
    LOOKUP(handle, status, "PQstatus")
    LOOKUP(handle, errorMessage, "PQerrorMessage")
    LOOKUP(handle, finish, "PQfinish")
    LOOKUP(handle, reset, "PQreset")
    LOOKUP(handle, transactionStatus, "PQtransactionStatus")
    LOOKUP(handle, setNoticeProcessor, "PQsetNoticeProcessor")
    LOOKUP(handle, exec, "PQexec")
    LOOKUP(handle, execParams, "PQexecParams")
    LOOKUP(handle, prepare, "PQprepare")
    LOOKUP(handle, execPrepared, "PQexecPrepared")
    LOOKUP(handle, resultStatus, "PQresultStatus")
    LOOKUP(handle, resultErrorMessage, "PQresultErrorMessage")
    LOOKUP(handle, resultErrorField, "PQresultErrorField")
    LOOKUP(handle, ntuples, "PQntuples")
    LOOKUP(handle, nfields, "PQnfields")
    LOOKUP(handle, getvalue, "PQgetvalue")
    LOOKUP(handle, getisnull, "PQgetisnull")
    LOOKUP(handle, cmdTuples, "PQcmdTuples")
    LOOKUP(handle, clear, "PQclear")
    LOOKUP(handle, socket, "PQsocket")
    LOOKUP(handle, consumeInput, "PQconsumeInput")
    LOOKUP(handle, notifies, "PQnotifies")
    LOOKUP(handle, freemem, "PQfreemem")
}

int cpq_load(char *message, int size) {
    pthread_once(&once, load);
    if (failure[0] == 0) return 0;
    if (message && size > 0) snprintf(message, (size_t)size, "%s", failure);
    return -1;
}

static void ignoreNotice(void *argument, const char *message) { (void)argument; (void)message; }

PGconn *cpq_connectdb(const char *conninfo) { return pq.connectdb(conninfo); }
ConnStatusType cpq_status(const PGconn *conn) { return pq.status(conn); }
char *cpq_errorMessage(const PGconn *conn) { return pq.errorMessage(conn); }
void cpq_finish(PGconn *conn) { pq.finish(conn); }
void cpq_reset(PGconn *conn) { pq.reset(conn); }
PGTransactionStatusType cpq_transactionStatus(const PGconn *conn) { return pq.transactionStatus(conn); }
void cpq_silenceNotices(PGconn *conn) { pq.setNoticeProcessor(conn, ignoreNotice, NULL); }
PGresult *cpq_exec(PGconn *conn, const char *query) { return pq.exec(conn, query); }
PGresult *cpq_execParams(PGconn *conn, const char *command, int nParams, const char *const *paramValues) {
    return pq.execParams(conn, command, nParams, NULL, paramValues, NULL, NULL, 0);
}
PGresult *cpq_prepare(PGconn *conn, const char *name, const char *query, int nParams, const unsigned int *paramTypes) {
    return pq.prepare(conn, name, query, nParams, (const Oid *)paramTypes);
}
PGresult *cpq_execPrepared(PGconn *conn, const char *name, int nParams, const char *const *paramValues) {
    return pq.execPrepared(conn, name, nParams, paramValues, NULL, NULL, 0);
}
ExecStatusType cpq_resultStatus(const PGresult *res) { return pq.resultStatus(res); }
char *cpq_resultErrorMessage(const PGresult *res) { return pq.resultErrorMessage(res); }
char *cpq_resultErrorField(const PGresult *res, int fieldcode) { return pq.resultErrorField(res, fieldcode); }
int cpq_ntuples(const PGresult *res) { return pq.ntuples(res); }
int cpq_nfields(const PGresult *res) { return pq.nfields(res); }
char *cpq_getvalue(const PGresult *res, int row, int column) { return pq.getvalue(res, row, column); }
int cpq_getisnull(const PGresult *res, int row, int column) { return pq.getisnull(res, row, column); }
char *cpq_cmdTuples(PGresult *res) { return pq.cmdTuples(res); }
void cpq_clear(PGresult *res) { pq.clear(res); }
int cpq_socket(const PGconn *conn) { return pq.socket(conn); }
int cpq_consumeInput(PGconn *conn) { return pq.consumeInput(conn); }
int cpq_drainNotifies(PGconn *conn) {
    int count = 0;
    PGnotify *notice;
    while ((notice = pq.notifies(conn)) != NULL) { pq.freemem(notice); count++; }
    return count;
}

// libpq, loaded when first used rather than linked: the executables stay free of a libpq
// dependency (a shared host running SQLite needs no PostgreSQL client), and the PostgreSQL store
// says plainly when libpq is missing. Each cpq_ function calls the libpq function of that name.
#ifndef CLIBPQ_H
#define CLIBPQ_H
#include <postgresql/libpq-fe.h>

/// Loads libpq.so.5 once. Returns 0 on success; otherwise writes the reason into `message`.
int cpq_load(char *message, int size);

PGconn *cpq_connectdb(const char *conninfo);
ConnStatusType cpq_status(const PGconn *conn);
char *cpq_errorMessage(const PGconn *conn);
void cpq_finish(PGconn *conn);
void cpq_reset(PGconn *conn);
PGTransactionStatusType cpq_transactionStatus(const PGconn *conn);
/// Sends notices nowhere instead of to standard error.
void cpq_silenceNotices(PGconn *conn);
PGresult *cpq_exec(PGconn *conn, const char *query);
PGresult *cpq_execParams(PGconn *conn, const char *command, int nParams, const char *const *paramValues);
/* paramTypes: one type OID per parameter, or NULL to let the server infer them from the statement. */
PGresult *cpq_prepare(PGconn *conn, const char *name, const char *query, int nParams, const unsigned int *paramTypes);
PGresult *cpq_execPrepared(PGconn *conn, const char *name, int nParams, const char *const *paramValues);
ExecStatusType cpq_resultStatus(const PGresult *res);
char *cpq_resultErrorMessage(const PGresult *res);
char *cpq_resultErrorField(const PGresult *res, int fieldcode);
int cpq_ntuples(const PGresult *res);
int cpq_nfields(const PGresult *res);
char *cpq_getvalue(const PGresult *res, int row, int column);
int cpq_getisnull(const PGresult *res, int row, int column);
char *cpq_cmdTuples(PGresult *res);
void cpq_clear(PGresult *res);
int cpq_socket(const PGconn *conn);
int cpq_consumeInput(PGconn *conn);
/// Takes and frees every pending notification; returns how many there were.
int cpq_drainNotifies(PGconn *conn);
#endif

#include <sqlite3.h>

/* sqlite3_db_config is variadic, which Swift cannot call: the one setting the store needs. */
static inline int csqlite_set_lookaside(sqlite3 *db, int slotSize, int slotCount) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_LOOKASIDE, (void *)0, slotSize, slotCount);
}

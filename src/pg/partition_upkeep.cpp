#include "pg/partition_upkeep.hpp"

#include "pg/owner_rights.hpp"

namespace eventlog::pg {

namespace {

/// The log whose partitions were last found ready, and until when.
Oid ready_table = InvalidOid;
TimestampTz ready_until = 0;

}  // namespace

void forget_partitions_ready(Oid relation) {
    if (relation == InvalidOid || relation == ready_table) ready_table = InvalidOid;
}

void keep_partitions_ready(Oid namespace_oid, Oid table) {
    if (table == ready_table && GetCurrentTimestamp() < ready_until) return;
    char* sql =
        psprintf("SELECT %s.eventlog_partition_maintain()", quote_identifier(get_namespace_name(namespace_oid)));
    SavedUser saved = become_table_owner(table);
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "eventlog: SPI_connect failed");
    int rc = SPI_execute(sql, false, 1);
    if (rc != SPI_OK_SELECT || SPI_processed != 1)
        elog(ERROR, "eventlog: eventlog_partition_maintain() failed: %s", SPI_result_code_string(rc));
    bool isnull;
    Datum due = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
    TimestampTz until = isnull ? 0 : DatumGetTimestampTz(due);
    SPI_finish();
    restore_user(saved);
    ready_table = table;
    ready_until = until;
}

}  // namespace eventlog::pg

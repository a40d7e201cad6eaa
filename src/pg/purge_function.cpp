// eventlog_purge(older_than interval, max_events bigint DEFAULT NULL)
//   RETURNS bigint
//
// Removes the events recorded before now() - older_than, oldest first, and
// records a `purge` event of its own when it removed any. A partitioned log
// loses whole partitions first (DROP TABLE of each partition whose range
// ends by the cutoff, while max_events allows); the rest is deleted in
// batches, as in a plain log. It runs the deletes with the log owner's
// rights inside the append-only guard's purge window, and removes the seal
// secrets of the events it removes (1.4 on): with them gone, nothing kept
// lets anyone test a guess of a purged event's values. Who may call it is
// decided by EXECUTE on the function (revoked from PUBLIC; the owner grants
// it). The purge event's db_user is the caller.
// PostgreSQL-style code (no C++ objects).
#include "pg/append_only.hpp"
#include "pg/boundary.hpp"
#include "pg/event_counts.hpp"
#include "pg/event_writer.hpp"
#include "pg/owner_rights.hpp"
#include "pg/postgres.hpp"

namespace eventlog::pg {

namespace {

constexpr int64 kBatch = 10000;

/// Deletes up to `limit` of the oldest events recorded before `cutoff`,
/// taking them off the counts when the log has counts, and their seal
/// secrets with them (when the log has them: 1.4 on); returns how many it
/// deleted.
int64 delete_batch(const char* schema, const char* log, TimestampTz cutoff, int64 limit, bool counted,
                   bool with_actor_id, bool secrets) {
    char* remove = psprintf(
        "DELETE FROM %s WHERE \"timestamp\" OPERATOR(pg_catalog.<) $1 AND id OPERATOR(pg_catalog.=) ANY (ARRAY("
        "SELECT id FROM %s WHERE \"timestamp\" OPERATOR(pg_catalog.<) $1 ORDER BY \"timestamp\", id LIMIT $2))",
        log, log);
    const char* forget = secrets ? psprintf(
                                       ", forgotten AS (DELETE FROM %s.eventlog_seal_secrets k USING removed r "
                                       "WHERE k.id OPERATOR(pg_catalog.=) r.id)",
                                       schema)
                                 : "";
    char* sql = counted ? psprintf(
                              "WITH removed AS (%s RETURNING id, %s)%s, "
                              "noted AS (%s RETURNING events) "
                              "SELECT COALESCE(OPERATOR(pg_catalog.-) pg_catalog.sum(n.events), 0)::bigint "
                              "FROM noted n",
                              remove, count_key_columns(with_actor_id), forget,
                              negative_deltas_sql(schema, "removed", with_actor_id))
                        : remove;
    Oid types[2] = {TIMESTAMPTZOID, INT8OID};
    Datum values[2] = {TimestampTzGetDatum(cutoff), Int64GetDatum(limit)};
    open_purge_window();
    int rc = SPI_execute_with_args(sql, 2, types, values, nullptr, false, 0);
    close_purge_window();
    if (!counted) {
        if (rc != SPI_OK_DELETE) elog(ERROR, "eventlog: purge failed: %s", SPI_result_code_string(rc));
        return static_cast<int64>(SPI_processed);
    }
    if (rc != SPI_OK_SELECT || SPI_processed != 1)
        elog(ERROR, "eventlog: purge failed: %s", SPI_result_code_string(rc));
    bool isnull;
    return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/// Partitioned log: drops the partitions holding only events recorded
/// before `cutoff`, oldest first, while their events fit in `budget`;
/// returns how many events they held.
int64 drop_old_partitions(const char* schema, TimestampTz cutoff, int64 budget, bool counted, bool with_actor_id,
                          bool secrets) {
    char* sql = psprintf(
        "SELECT pg_catalog.format('%%I.%%I', n.nspname, c.relname) "
        "FROM %s.eventlog_partitions p "
        "JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) p.partition "
        "JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
        "WHERE p.to_time OPERATOR(pg_catalog.<=) $1 ORDER BY p.from_time",
        schema);
    Oid types[1] = {TIMESTAMPTZOID};
    Datum values[1] = {TimestampTzGetDatum(cutoff)};
    int rc = SPI_execute_with_args(sql, 1, types, values, nullptr, true, 0);
    if (rc != SPI_OK_SELECT) elog(ERROR, "eventlog: listing partitions failed: %s", SPI_result_code_string(rc));
    uint64 n = SPI_processed;
    SPITupleTable* partitions = SPI_tuptable;
    int64 dropped = 0;
    for (uint64 i = 0; i < n; i++) {
        char* name = SPI_getvalue(partitions->vals[i], partitions->tupdesc, 1);
        rc = SPI_execute(psprintf("SELECT pg_catalog.count(*) FROM %s", name), true, 1);
        if (rc != SPI_OK_SELECT) elog(ERROR, "eventlog: counting %s failed: %s", name, SPI_result_code_string(rc));
        bool isnull;
        int64 events = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
        if (events > budget - dropped) break;
        if (counted) {
            rc = SPI_execute(negative_deltas_sql(schema, name, with_actor_id), false, 0);
            if (rc != SPI_OK_INSERT)
                elog(ERROR, "eventlog: uncounting %s failed: %s", name, SPI_result_code_string(rc));
        }
        if (secrets) {
            open_purge_window();
            rc = SPI_execute(psprintf("DELETE FROM %s.eventlog_seal_secrets k USING %s p "
                                      "WHERE k.id OPERATOR(pg_catalog.=) p.id",
                                      schema, name),
                             false, 0);
            close_purge_window();
            if (rc != SPI_OK_DELETE)
                elog(ERROR, "eventlog: forgetting the secrets of %s failed: %s", name, SPI_result_code_string(rc));
        }
        rc = SPI_execute(psprintf("DROP TABLE %s", name), false, 0);
        if (rc != SPI_OK_UTILITY) elog(ERROR, "eventlog: dropping %s failed: %s", name, SPI_result_code_string(rc));
        dropped += events;
    }
    return dropped;
}

void record_purge(const char* schema, const char* log_name, int64 purged, TimestampTz cutoff, Datum older_than) {
    char* sql = psprintf(
        "SELECT %s.eventlog_log('Purged {count} events recorded before {before}.', "
        "pg_catalog.jsonb_build_object('count', $1, 'before', $2, 'older_than', $3), $4, NULL, NULL, "
        "'eventlog', 'purge')",
        schema);
    Oid types[4] = {INT8OID, TIMESTAMPTZOID, INTERVALOID, TEXTOID};
    Datum values[4] = {Int64GetDatum(purged), TimestampTzGetDatum(cutoff), older_than, CStringGetTextDatum(log_name)};
    int rc = SPI_execute_with_args(sql, 4, types, values, nullptr, false, 1);
    if (rc != SPI_OK_SELECT) elog(ERROR, "eventlog: recording the purge failed: %s", SPI_result_code_string(rc));
}

Datum purge(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0))
        ereport(ERROR,
                (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("eventlog_purge: older_than must not be NULL")));
    Datum older_than = PG_GETARG_DATUM(0);
    Interval zero = {};
    if (DatumGetBool(DirectFunctionCall2(interval_lt, older_than, IntervalPGetDatum(&zero))))
        ereport(ERROR,
                (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("eventlog_purge: older_than must not be negative"),
                 errdetail("older_than is %s.", DatumGetCString(DirectFunctionCall1(interval_out, older_than)))));
    int64 max_events = PG_ARGISNULL(1) ? PG_INT64_MAX : PG_GETARG_INT64(1);
    if (max_events <= 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("eventlog_purge: max_events must be positive or NULL (no limit)")));
    PreventCommandIfReadOnly("eventlog_purge");
    PreventCommandIfParallelMode("eventlog_purge");

    TimestampTz cutoff = DatumGetTimestampTz(DirectFunctionCall2(
        timestamptz_mi_interval, TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()), older_than));
    Oid namespace_oid = extension_namespace(fcinfo->flinfo->fn_oid);
    const char* schema = quote_identifier(get_namespace_name(namespace_oid));
    Oid log = eventlog_table(namespace_oid);
    char* log_name = psprintf("%s.eventlog", schema);

    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "eventlog: SPI_connect failed");
    SavedUser saved = become_table_owner(log);
    // A log of 1.2 or older (until ALTER EXTENSION eventlog UPDATE) has no counts.
    bool counted = OidIsValid(get_relname_relid("eventlog_count_deltas", namespace_oid));
    bool with_actor_id = counts_have_actor_id(namespace_oid);
    // Nor seal secrets (1.3 or older): the secrets of purged events go with them.
    bool secrets = OidIsValid(get_relname_relid("eventlog_seal_secrets", namespace_oid));
    int64 purged = 0;
    if (get_rel_relkind(log) == RELKIND_PARTITIONED_TABLE)
        purged = drop_old_partitions(schema, cutoff, max_events, counted, with_actor_id, secrets);
    while (purged < max_events) {
        CHECK_FOR_INTERRUPTS();
        int64 limit = max_events - purged < kBatch ? max_events - purged : kBatch;
        int64 deleted = delete_batch(schema, log_name, cutoff, limit, counted, with_actor_id, secrets);
        purged += deleted;
        if (deleted < limit) break;
    }
    restore_user(saved);
    if (purged > 0) record_purge(schema, log_name, purged, cutoff, older_than);
    SPI_finish();
    PG_RETURN_INT64(purged);
}

}  // namespace

}  // namespace eventlog::pg

EVENTLOG_SQL_FUNCTION(eventlog_purge, eventlog::pg::purge)

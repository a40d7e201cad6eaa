#include "pg/event_writer.hpp"

#include "pg/settings.hpp"

namespace eventlog::pg {

namespace {

constexpr int kEventColumns = 10;
constexpr int kBatchParams = 9;

/// A prepared INSERT, kept for the life of the backend and re-made when the
/// eventlog table is a different one (extension dropped and re-created).
struct CachedPlan {
    Oid table;
    SPIPlanPtr plan;
};
CachedPlan single_insert = {InvalidOid, nullptr};
CachedPlan batch_insert = {InvalidOid, nullptr};

Oid table_owner(Oid table) {
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(table));
    if (!HeapTupleIsValid(tuple)) elog(ERROR, "eventlog: cache lookup failed for relation %u", table);
    Oid owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
    ReleaseSysCache(tuple);
    return owner;
}

/// `cached`'s plan for `table`, prepared from `format` (one %s: the
/// quoted schema) when missing or stale. Call between SPI_connect/finish.
SPIPlanPtr prepared(CachedPlan* cached, Oid namespace_oid, Oid table, const char* format, int nargs,
                    Oid* types) {
    if (cached->plan != nullptr && cached->table == table) return cached->plan;
    if (cached->plan != nullptr) {
        SPI_freeplan(cached->plan);
        cached->plan = nullptr;
    }
    char* sql = psprintf(format, quote_identifier(get_namespace_name(namespace_oid)));
    SPIPlanPtr plan = SPI_prepare(sql, nargs, types);
    if (plan == nullptr) elog(ERROR, "eventlog: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
    SPI_keepplan(plan);
    cached->table = table;
    cached->plan = plan;
    return plan;
}

Oid eventlog_table(Oid namespace_oid) {
    Oid table = get_relname_relid("eventlog", namespace_oid);
    if (!OidIsValid(table))
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                        errmsg("eventlog: table %s.eventlog does not exist",
                               quote_identifier(get_namespace_name(namespace_oid)))));
    return table;
}

/// The role we were before run_as_owner().
struct SavedUser {
    Oid user;
    int context;
};

/// Switches to the eventlog table's owner: events are written with its
/// rights, so callers need no privilege on the table. A transaction or
/// subtransaction abort restores the previous user on its own, so an error
/// in between needs no cleanup.
SavedUser run_as_owner(Oid table) {
    SavedUser saved;
    GetUserIdAndSecContext(&saved.user, &saved.context);
    SetUserIdAndSecContext(table_owner(table),
                           saved.context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
    return saved;
}

void restore_user(SavedUser saved) {
    SetUserIdAndSecContext(saved.user, saved.context);
}

void set_text(Datum* values, char* nulls, int i, const char* s) {
    nulls[i] = s != nullptr ? ' ' : 'n';
    values[i] = s != nullptr ? CStringGetTextDatum(s) : (Datum) 0;
}

void set_pointer(Datum* values, char* nulls, int i, const void* p) {
    nulls[i] = p != nullptr ? ' ' : 'n';
    values[i] = PointerGetDatum(p);
}

}  // namespace

Oid extension_namespace(Oid member_function) {
    return get_func_namespace(member_function);
}

const char* current_role_name() {
    return GetUserNameFromId(GetUserId(), false);
}

const char* default_actor() {
    if (actor_setting != nullptr && actor_setting[0] != '\0') return pstrdup(actor_setting);
    return current_role_name();
}

int64 write_event(Oid namespace_oid, const Event* event) {
    Oid table = eventlog_table(namespace_oid);
    Datum values[kEventColumns];
    char nulls[kEventColumns];
    set_text(values, nulls, 0, event->actor);
    set_pointer(values, nulls, 1, event->message);
    set_text(values, nulls, 2, event->object_type);
    set_text(values, nulls, 3, event->object_id);
    set_text(values, nulls, 4, event->tool);
    set_text(values, nulls, 5, event->action);
    set_pointer(values, nulls, 6, event->changes);
    set_text(values, nulls, 7, event->db_user);
    set_pointer(values, nulls, 8, event->template_message);
    set_pointer(values, nulls, 9, event->values_json);

    SavedUser saved = run_as_owner(table);
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "eventlog: SPI_connect failed");
    Oid types[kEventColumns] = {TEXTOID, TEXTOID, TEXTOID,  TEXTOID, TEXTOID,
                                TEXTOID, JSONBOID, TEXTOID, TEXTOID, JSONBOID};
    SPIPlanPtr plan = prepared(&single_insert, namespace_oid, table,
                               "INSERT INTO %s.eventlog (actor, message, object_type, object_id, tool, action, "
                               "changes, db_user, template_message, values_json) "
                               "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                               kEventColumns, types);
    int rc = SPI_execute_plan(plan, values, nulls, false, 1);
    if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
        elog(ERROR, "eventlog: inserting the event failed: %s", SPI_result_code_string(rc));
    bool isnull;
    int64 id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    SPI_finish();
    restore_user(saved);
    return id;
}

void write_event_batch(Oid namespace_oid, const EventBatchCommon* common, int n, Datum* object_ids,
                       bool* object_id_nulls, Datum* messages, Datum* changes) {
    if (n == 0) return;
    Oid table = eventlog_table(namespace_oid);
    int dims[1] = {n};
    int lbs[1] = {1};
    Datum values[kBatchParams];
    char nulls[kBatchParams];
    set_text(values, nulls, 0, common->actor);
    set_pointer(values, nulls, 1, construct_array(messages, n, TEXTOID, -1, false, TYPALIGN_INT));
    set_text(values, nulls, 2, common->object_type);
    set_pointer(values, nulls, 3,
                construct_md_array(object_ids, object_id_nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
    set_text(values, nulls, 4, common->tool);
    set_text(values, nulls, 5, common->action);
    set_pointer(values, nulls, 6, construct_array(changes, n, JSONBOID, -1, false, TYPALIGN_INT));
    set_text(values, nulls, 7, common->db_user);
    set_pointer(values, nulls, 8, common->template_message);

    SavedUser saved = run_as_owner(table);
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "eventlog: SPI_connect failed");
    Oid types[kBatchParams] = {TEXTOID, TEXTARRAYOID, TEXTOID, TEXTARRAYOID, TEXTOID,
                               TEXTOID, JSONBARRAYOID, TEXTOID, TEXTOID};
    SPIPlanPtr plan = prepared(&batch_insert, namespace_oid, table,
                               "INSERT INTO %s.eventlog (actor, message, object_type, object_id, tool, action, "
                               "changes, db_user, template_message) "
                               "SELECT $1, e.message, $3, e.object_id, $5, $6, e.changes, $8, $9 "
                               "FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($4), "
                               "pg_catalog.unnest($7)) AS e(message, object_id, changes)",
                               kBatchParams, types);
    int rc = SPI_execute_plan(plan, values, nulls, false, 0);
    if (rc != SPI_OK_INSERT || SPI_processed != static_cast<uint64>(n))
        elog(ERROR, "eventlog: inserting %d events failed: %s", n, SPI_result_code_string(rc));
    SPI_finish();
    restore_user(saved);
}

}  // namespace eventlog::pg

#include "pg/event_writer.hpp"

#include "pg/settings.hpp"

namespace eventlog::pg {

namespace {

constexpr int kEventColumns = 10;

/// The prepared INSERT, kept for the life of the backend and re-made when
/// the eventlog table is a different one (extension dropped and re-created).
struct InsertPlan {
    Oid table;
    SPIPlanPtr plan;
};
InsertPlan insert_plan_cache = {InvalidOid, nullptr};

Oid table_owner(Oid table) {
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(table));
    if (!HeapTupleIsValid(tuple)) elog(ERROR, "eventlog: cache lookup failed for relation %u", table);
    Oid owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
    ReleaseSysCache(tuple);
    return owner;
}

SPIPlanPtr insert_plan(Oid namespace_oid, Oid table) {
    if (insert_plan_cache.plan != nullptr && insert_plan_cache.table == table) return insert_plan_cache.plan;
    if (insert_plan_cache.plan != nullptr) {
        SPI_freeplan(insert_plan_cache.plan);
        insert_plan_cache.plan = nullptr;
    }
    StringInfoData sql;
    initStringInfo(&sql);
    appendStringInfo(&sql,
                     "INSERT INTO %s.eventlog (actor, message, object_type, object_id, tool, action, "
                     "changes, db_user, template_message, values_json) "
                     "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                     quote_identifier(get_namespace_name(namespace_oid)));
    Oid types[kEventColumns] = {TEXTOID, TEXTOID, TEXTOID,  TEXTOID, TEXTOID,
                                TEXTOID, JSONBOID, TEXTOID, TEXTOID, JSONBOID};
    SPIPlanPtr plan = SPI_prepare(sql.data, kEventColumns, types);
    if (plan == nullptr) elog(ERROR, "eventlog: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
    SPI_keepplan(plan);
    insert_plan_cache.table = table;
    insert_plan_cache.plan = plan;
    return plan;
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
    Oid table = get_relname_relid("eventlog", namespace_oid);
    if (!OidIsValid(table))
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                        errmsg("eventlog: table %s.eventlog does not exist",
                               quote_identifier(get_namespace_name(namespace_oid)))));

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

    // Insert with the table owner's rights. A transaction or subtransaction
    // abort restores the previous user on its own, so an error needs no cleanup.
    Oid saved_user;
    int saved_context;
    GetUserIdAndSecContext(&saved_user, &saved_context);
    SetUserIdAndSecContext(table_owner(table),
                           saved_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);

    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "eventlog: SPI_connect failed");
    int rc = SPI_execute_plan(insert_plan(namespace_oid, table), values, nulls, false, 1);
    if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
        elog(ERROR, "eventlog: inserting the event failed: %s", SPI_result_code_string(rc));
    bool isnull;
    int64 id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    SPI_finish();

    SetUserIdAndSecContext(saved_user, saved_context);
    return id;
}

}  // namespace eventlog::pg

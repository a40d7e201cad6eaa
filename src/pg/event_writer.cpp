#include <cstring>

#include "pg/citus_identity.hpp"
#include "pg/direct_insert.hpp"
#include "pg/event_counts.hpp"
#include "pg/event_writer.hpp"
#include "pg/owner_rights.hpp"
#include "pg/pg_compat.hpp"
#include "pg/partition_upkeep.hpp"
#include "pg/settings.hpp"

namespace eventlog::pg {

namespace {

// The columns of eventlog, in order, as this version creates them.
enum Column {
    kId,
    kTimestamp,
    kActor,
    kMessage,
    kObjectType,
    kObjectId,
    kTool,
    kAction,
    kChanges,
    kDbUser,
    kTemplateMessage,
    kValuesJson,
    kTransactionId,
    kObjectTable,
    kContext,
    kActorId,
    kColumns
};

const ColumnShape kShape[kColumns] = {
    {"id", INT8OID, true},
    {"timestamp", TIMESTAMPTZOID, true},
    {"actor", TEXTOID, false},
    {"message", TEXTOID, true},
    {"object_type", TEXTOID, false},
    {"object_id", TEXTOID, false},
    {"tool", TEXTOID, false},
    {"action", TEXTOID, false},
    {"changes", JSONBOID, false},
    {"db_user", TEXTOID, true},
    {"template_message", TEXTOID, false},
    {"values_json", JSONBOID, false},
    {"transaction_id", XID8OID, true},
    {"object_table", REGCLASSOID, false},
    {"context", JSONBOID, false},
    {"actor_id", TEXTOID, false},
};

Datum text_datum(const char* s, bool* isnull) {
    *isnull = s == nullptr;
    return s != nullptr ? CStringGetTextDatum(s) : (Datum) 0;
}

Datum pointer_datum(const void* p, bool* isnull) {
    *isnull = p == nullptr;
    return PointerGetDatum(p);
}

// ---------------------------------------------------------------------------
// The direct path: events built as tuples and inserted like COPY does
// (table_multi_insert, then the index entries). It skips the planner and
// executor, and is taken when the table is exactly what this version
// created: a plain table with these columns and NOT NULLs, no insert
// triggers, no rules, no CHECK constraints, no row security that applies to
// its owner (FORCE ROW LEVEL SECURITY; the log's own policy only filters
// what other roles read); for a partitioned log, the partition of the
// current time when it is such a table. Anything else takes the SQL path
// below, which enforces whatever the owner added.
// ---------------------------------------------------------------------------

bool direct_insert_possible(Relation table) {
    // Citus routes inserts into a distributed table through its executor
    // hooks; a tuple written straight into a Citus table's shell would never
    // reach a shard. The log local to each node (docs/distributed.md) is not
    // one, and takes this path.
    if (is_citus_table(RelationGetRelid(table))) return false;
    return inserts_like_copy(table, kShape, kColumns);
}

/// Events are inserted with the clock time of each, kept below `until` (the
/// end of the partition they go to; DT_NOEND for a plain log).
int64 insert_direct(Relation table, Oid namespace_oid, const EventCommon* common, const EventRows* rows,
                    TimestampTz until) {
    Oid sequence = get_relname_relid("eventlog_id_seq", namespace_oid);
    if (!OidIsValid(sequence)) elog(ERROR, "eventlog: sequence eventlog_id_seq is missing");

    EState* estate = CreateExecutorState();
    ResultRelInfo* result = makeNode(ResultRelInfo);
    InitResultRelInfo(result, table, 1, nullptr, 0);
    ExecOpenIndices(result, false);

    // What every event shares, computed once.
    Datum shared[kColumns];
    bool shared_null[kColumns];
    shared[kActor] = text_datum(common->actor, &shared_null[kActor]);
    shared[kObjectType] = text_datum(common->object_type, &shared_null[kObjectType]);
    shared[kTool] = text_datum(common->tool, &shared_null[kTool]);
    shared[kAction] = text_datum(common->action, &shared_null[kAction]);
    shared[kDbUser] = text_datum(common->db_user, &shared_null[kDbUser]);
    shared[kTemplateMessage] = pointer_datum(common->template_message, &shared_null[kTemplateMessage]);
    shared[kValuesJson] = pointer_datum(common->values_json, &shared_null[kValuesJson]);
    shared[kTransactionId] = FullTransactionIdGetDatum(
        FullTransactionIdIsValid(common->transaction_id) ? common->transaction_id : GetTopFullTransactionId());
    shared_null[kTransactionId] = false;
    shared[kObjectTable] = ObjectIdGetDatum(common->object_table);
    shared_null[kObjectTable] = !OidIsValid(common->object_table);
    shared[kContext] = pointer_datum(common->context, &shared_null[kContext]);
    shared[kActorId] = text_datum(common->actor_id, &shared_null[kActorId]);

    constexpr int kChunk = 1000;
    TupleTableSlot* slots[kChunk];
    int nslots = rows->n < kChunk ? rows->n : kChunk;
    for (int i = 0; i < nslots; i++) slots[i] = table_slot_create(table, nullptr);

    CommandId command = GetCurrentCommandId(true);
    int64 first_id = 0;
    for (int start = 0; start < rows->n; start += kChunk) {
        int count = rows->n - start < kChunk ? rows->n - start : kChunk;
        for (int k = 0; k < count; k++) {
            int row = start + k;
            TupleTableSlot* slot = slots[k];
            ExecClearTuple(slot);
            std::memcpy(slot->tts_values, shared, sizeof(shared));
            std::memcpy(slot->tts_isnull, shared_null, sizeof(shared_null));
            int64 id = nextval_internal(sequence, false);
            if (row == 0) first_id = id;
            slot->tts_values[kId] = Int64GetDatum(id);
            slot->tts_isnull[kId] = false;
            TimestampTz at = common->timestamp != 0 ? common->timestamp : GetCurrentTimestamp();
            slot->tts_values[kTimestamp] = TimestampTzGetDatum(at < until ? at : until - 1);
            slot->tts_isnull[kTimestamp] = false;
            slot->tts_values[kMessage] = rows->messages[row];
            slot->tts_isnull[kMessage] = false;
            slot->tts_values[kObjectId] = rows->object_ids[row];
            slot->tts_isnull[kObjectId] = rows->object_id_nulls[row];
            slot->tts_values[kChanges] = rows->changes[row];
            slot->tts_isnull[kChanges] = rows->changes_nulls[row];
            ExecStoreVirtualTuple(slot);
        }
        table_multi_insert(table, slots, count, command, 0, nullptr);
        for (int k = 0; k < count; k++) {
            insert_index_entries(result, slots[k], estate);
            ResetPerTupleExprContext(estate);
        }
    }
    for (int i = 0; i < nslots; i++) ExecDropSingleTupleTableSlot(slots[i]);
    ExecCloseIndices(result);
    FreeExecutorState(estate);
    return first_id;
}

/// A partitioned log: the partition holding events recorded at `at` (0:
/// now), and the end of its range; for events recorded now, only when it has
/// room for at least another minute (so a batch cannot outlast it).
/// InvalidOid otherwise (the SQL path routes then).
Oid partition_for(Relation log, TimestampTz at, TimestampTz* until) {
    PartitionKey key = RelationGetPartitionKey(log);
    PartitionDesc partitions = RelationGetPartitionDesc(log, true);
    if (key == nullptr || key->strategy != PARTITION_STRATEGY_RANGE || key->partnatts != 1 ||
        key->partattrs[0] != kTimestamp + 1 || partitions == nullptr || partitions->nparts == 0)
        return InvalidOid;
    PartitionBoundInfo bounds = partitions->boundinfo;
    TimestampTz now = at != 0 ? at : GetCurrentTimestamp();
    Datum value = TimestampTzGetDatum(now);
    bool equal;
    int offset = partition_range_datum_bsearch(key->partsupfunc, key->partcollation, bounds, 1, &value, &equal);
    if (offset + 1 >= bounds->ndatums || bounds->indexes[offset + 1] < 0 ||
        bounds->kind[offset + 1][0] != PARTITION_RANGE_DATUM_VALUE)
        return InvalidOid;
    *until = DatumGetTimestampTz(bounds->datums[offset + 1][0]);
    if (at == 0 && *until - now < 60 * USECS_PER_SEC) return InvalidOid;
    return partitions->oids[bounds->indexes[offset + 1]];
}

// ---------------------------------------------------------------------------
// The SQL path: one INSERT ... SELECT over arrays, run with the table
// owner's rights. Works whatever the table has become (partitioned,
// triggers, constraints, more columns with defaults).
// ---------------------------------------------------------------------------

constexpr int kSqlParams = 15;

/// The prepared INSERT, kept for the life of the backend and re-made when
/// the eventlog table is a different one (extension dropped and re-created)
/// or gained columns: object_table and context (a log of 1.1 or older has
/// no such columns until ALTER EXTENSION eventlog UPDATE; this module writes
/// into it meanwhile), actor_id (1.3 and older). A column the log does not
/// have yet is not written.
struct CachedPlan {
    Oid table;
    bool with_1_2_columns;
    bool with_actor_id;
    SPIPlanPtr plan;
};
CachedPlan sql_insert = {InvalidOid, false, false, nullptr};

SPIPlanPtr prepared_insert(Oid namespace_oid, Oid table) {
    bool with_1_2_columns = get_attnum(table, kShape[kObjectTable].name) != InvalidAttrNumber &&
                            get_attnum(table, kShape[kContext].name) != InvalidAttrNumber;
    bool with_actor_id = get_attnum(table, kShape[kActorId].name) != InvalidAttrNumber;
    if (sql_insert.plan != nullptr && sql_insert.table == table && sql_insert.with_1_2_columns == with_1_2_columns &&
        sql_insert.with_actor_id == with_actor_id)
        return sql_insert.plan;
    if (sql_insert.plan != nullptr) {
        SPI_freeplan(sql_insert.plan);
        sql_insert.plan = nullptr;
    }
    char* sql = psprintf(
        "INSERT INTO %s.eventlog (\"timestamp\", transaction_id, actor, message, object_type, object_id, tool, "
        "action, changes, db_user, template_message, values_json%s%s) "
        "SELECT COALESCE($14, pg_catalog.clock_timestamp()), COALESCE($15, pg_catalog.pg_current_xact_id()), "
        "$1, e.message, $3, e.object_id, $5, $6, e.changes, $8, $9, $10%s%s "
        "FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($4), pg_catalog.unnest($7)) "
        "AS e(message, object_id, changes) RETURNING id",
        quote_identifier(get_namespace_name(namespace_oid)), with_1_2_columns ? ", object_table, context" : "",
        with_actor_id ? ", actor_id" : "", with_1_2_columns ? ", $11, $12" : "", with_actor_id ? ", $13" : "");
    Oid types[kSqlParams] = {TEXTOID,     TEXTARRAYOID,  TEXTOID, TEXTARRAYOID,   TEXTOID,
                             TEXTOID,     JSONBARRAYOID, TEXTOID, TEXTOID,        JSONBOID,
                             REGCLASSOID, JSONBOID,      TEXTOID, TIMESTAMPTZOID, XID8OID};
    SPIPlanPtr plan = SPI_prepare(sql, kSqlParams, types);
    if (plan == nullptr) elog(ERROR, "eventlog: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
    SPI_keepplan(plan);
    sql_insert.table = table;
    sql_insert.with_1_2_columns = with_1_2_columns;
    sql_insert.with_actor_id = with_actor_id;
    sql_insert.plan = plan;
    return plan;
}

int64 insert_sql(Oid table, Oid namespace_oid, const EventCommon* common, const EventRows* rows) {
    int dims[1] = {rows->n};
    int lbs[1] = {1};
    Datum values[kSqlParams];
    bool isnull[kSqlParams];
    values[0] = text_datum(common->actor, &isnull[0]);
    values[1] = PointerGetDatum(construct_array(rows->messages, rows->n, TEXTOID, -1, false, TYPALIGN_INT));
    isnull[1] = false;
    values[2] = text_datum(common->object_type, &isnull[2]);
    values[3] = PointerGetDatum(
        construct_md_array(rows->object_ids, rows->object_id_nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
    isnull[3] = false;
    values[4] = text_datum(common->tool, &isnull[4]);
    values[5] = text_datum(common->action, &isnull[5]);
    values[6] = PointerGetDatum(
        construct_md_array(rows->changes, rows->changes_nulls, 1, dims, lbs, JSONBOID, -1, false, TYPALIGN_INT));
    isnull[6] = false;
    values[7] = text_datum(common->db_user, &isnull[7]);
    values[8] = pointer_datum(common->template_message, &isnull[8]);
    values[9] = pointer_datum(common->values_json, &isnull[9]);
    values[10] = ObjectIdGetDatum(common->object_table);
    isnull[10] = !OidIsValid(common->object_table);
    values[11] = pointer_datum(common->context, &isnull[11]);
    values[12] = text_datum(common->actor_id, &isnull[12]);
    values[13] = TimestampTzGetDatum(common->timestamp);
    isnull[13] = common->timestamp == 0;
    values[14] = FullTransactionIdGetDatum(common->transaction_id);
    isnull[14] = !FullTransactionIdIsValid(common->transaction_id);
    char nulls[kSqlParams];
    for (int i = 0; i < kSqlParams; i++) nulls[i] = isnull[i] ? 'n' : ' ';

    // Insert with the table owner's rights.
    SavedUser saved = become_table_owner(table);
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "eventlog: SPI_connect failed");
    int rc = SPI_execute_plan(prepared_insert(namespace_oid, table), values, nulls, false, 0);
    if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != static_cast<uint64>(rows->n))
        elog(ERROR, "eventlog: inserting %d events failed: %s", rows->n, SPI_result_code_string(rc));
    int64 first_id = 0;
    for (uint64 i = 0; i < SPI_processed; i++) {
        bool id_null;
        int64 id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &id_null));
        if (i == 0 || id < first_id) first_id = id;
    }
    SPI_finish();
    restore_user(saved);
    return first_id;
}

}  // namespace

Oid eventlog_table(Oid namespace_oid) {
    Oid table = get_relname_relid("eventlog", namespace_oid);
    if (!OidIsValid(table))
        ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE), errmsg("eventlog: table %s.eventlog does not exist",
                                                                 quote_identifier(get_namespace_name(namespace_oid)))));
    return table;
}

Oid extension_namespace(Oid member_function) { return get_func_namespace(member_function); }

const char* current_role_name() { return GetUserNameFromId(GetUserId(), false); }

const char* default_actor() {
    if (actor_setting != nullptr && actor_setting[0] != '\0') return pstrdup(actor_setting);
    return current_role_name();
}

const char* default_actor_id() {
    if (actor_id_setting != nullptr && actor_id_setting[0] != '\0') return pstrdup(actor_id_setting);
    return nullptr;
}

int64 write_events(Oid namespace_oid, const EventCommon* common, const EventRows* rows) {
    if (rows->n == 0) return 0;
    // The transaction id comes before any event id on both paths: every
    // event id is taken by a transaction that already has its xid, which
    // is what lets eventlog_seal tell when no smaller id can still commit.
    (void) GetTopFullTransactionId();
    // An INSERT would refuse these; so does the direct path.
    PreventCommandIfReadOnly("eventlog_log");
    PreventCommandIfParallelMode("eventlog_log");
    Oid table_oid = eventlog_table(namespace_oid);
    // Partitions are made ready before the log is opened here (attaching
    // one needs the table not to be in use by this backend).
    bool partitioned = get_rel_relkind(table_oid) == RELKIND_PARTITIONED_TABLE;
    if (partitioned) keep_partitions_ready(namespace_oid, table_oid);

    // The direct path writes into the log itself, or into the partition of
    // the current time; the SQL path takes whatever it cannot.
    Relation table = table_open(table_oid, RowExclusiveLock);
    TimestampTz until = DT_NOEND;
    Oid target_oid = partitioned ? partition_for(table, common->timestamp, &until) : table_oid;
    int64 first_id = 0;
    bool written = false;
    if (OidIsValid(target_oid)) {
        Relation target = partitioned ? table_open(target_oid, RowExclusiveLock) : table;
        if (direct_insert_possible(target)) {
            first_id = insert_direct(target, namespace_oid, common, rows, until);
            written = true;
        }
        if (partitioned) table_close(target, NoLock);
    }
    table_close(table, NoLock);
    if (!written) first_id = insert_sql(table_oid, namespace_oid, common, rows);
    // The counts behind eventlog_page's count: one delta for the whole write.
    CountKey key = {common->tool,   common->actor,       common->actor_id,
                    common->action, common->object_type, common->object_table};
    record_count_delta(namespace_oid, &key, rows->n);
    // Which path ran, for tests and for an owner wondering about speed.
    elog(DEBUG1, "eventlog: %d event%s written by the %s path", rows->n, rows->n == 1 ? "" : "s",
         written ? "direct" : "SQL");
    // Later commands of this transaction see the events.
    CommandCounterIncrement();
    return first_id;
}

}  // namespace eventlog::pg

#include <cstring>

#include "pg/event_counts.hpp"
#include "pg/boundary.hpp"
#include "pg/direct_insert.hpp"
#include "pg/owner_rights.hpp"

namespace eventlog::pg {

namespace {

// The columns of eventlog_count_deltas, in order, as this version creates
// them (1.3 created all but the last, actor_id).
enum DeltaColumn { kTool, kActor, kAction, kObjectType, kObjectTable, kEvents, kActorId, kDeltaColumns };

const ColumnShape kDeltaShape[kDeltaColumns] = {
    {"tool", TEXTOID, false},
    {"actor", TEXTOID, false},
    {"action", TEXTOID, false},
    {"object_type", TEXTOID, false},
    {"object_table", REGCLASSOID, false},
    {"events", INT8OID, true},
    {"actor_id", TEXTOID, false},
};

/// How many of kDeltaShape's columns the table has (one fewer before 1.4).
int delta_columns(Oid deltas) {
    return get_attnum(deltas, kDeltaShape[kActorId].name) != InvalidAttrNumber ? kDeltaColumns : kDeltaColumns - 1;
}

/// A fold is tried after this many deltas written by this backend (and
/// again at every later delta while another backend's fold holds the lock).
constexpr int kFoldEvery = 512;
int deltas_since_fold = 0;
bool folds_deferred = false;

/// The delta row goes straight into the heap when the table is what this
/// version created (no index, trigger, rule, constraint or forced row
/// security for anything to enforce); otherwise an INSERT does it.
bool direct_insert_possible(Relation table, int columns) {
    return !table->rd_rel->relhasindex && inserts_like_copy(table, kDeltaShape, columns);
}

bool same_text(const char* a, const char* b) {
    return (a == nullptr && b == nullptr) || (a != nullptr && b != nullptr && std::strcmp(a, b) == 0);
}

Datum text_or_null(const char* s, bool* isnull) {
    *isnull = s == nullptr;
    return s != nullptr ? CStringGetTextDatum(s) : (Datum) 0;
}

void fill_delta(const CountKey* key, int64 events, Datum* values, bool* nulls) {
    values[kTool] = text_or_null(key->tool, &nulls[kTool]);
    values[kActor] = text_or_null(key->actor, &nulls[kActor]);
    values[kAction] = text_or_null(key->action, &nulls[kAction]);
    values[kObjectType] = text_or_null(key->object_type, &nulls[kObjectType]);
    values[kObjectTable] = ObjectIdGetDatum(key->object_table);
    nulls[kObjectTable] = !OidIsValid(key->object_table);
    values[kEvents] = Int64GetDatum(events);
    nulls[kEvents] = false;
    values[kActorId] = text_or_null(key->actor_id, &nulls[kActorId]);
}

void insert_direct(Relation table, int columns, const CountKey* key, int64 events) {
    Datum values[kDeltaColumns];
    bool nulls[kDeltaColumns];
    fill_delta(key, events, values, nulls);
    TupleTableSlot* slot = table_slot_create(table, nullptr);
    ExecClearTuple(slot);
    std::memcpy(slot->tts_values, values, sizeof(Datum) * columns);
    std::memcpy(slot->tts_isnull, nulls, sizeof(bool) * columns);
    ExecStoreVirtualTuple(slot);
    table_tuple_insert(table, slot, GetCurrentCommandId(true), 0, nullptr);
    ExecDropSingleTupleTableSlot(slot);
}

void insert_sql(Oid table, int columns, const CountKey* key, int64 events) {
    Datum values[kDeltaColumns];
    bool isnull[kDeltaColumns];
    fill_delta(key, events, values, isnull);
    char nulls[kDeltaColumns];
    Oid types[kDeltaColumns];
    for (int i = 0; i < kDeltaColumns; i++) {
        nulls[i] = isnull[i] ? 'n' : ' ';
        types[i] = kDeltaShape[i].type;
    }
    bool with_actor_id = columns == kDeltaColumns;
    const char* sql = psprintf(
        "INSERT INTO %s.%s (tool, actor, action, object_type, object_table, events%s) "
        "VALUES ($1, $2, $3, $4, $5, $6%s)",
        quote_identifier(get_namespace_name(get_rel_namespace(table))), quote_identifier(get_rel_name(table)),
        with_actor_id ? ", actor_id" : "", with_actor_id ? ", $7" : "");
    SavedUser saved = become_table_owner(table);
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "eventlog: SPI_connect failed");
    int rc = SPI_execute_with_args(sql, columns, types, values, nulls, false, 0);
    if (rc != SPI_OK_INSERT) elog(ERROR, "eventlog: recording a count failed: %s", SPI_result_code_string(rc));
    SPI_finish();
    restore_user(saved);
}

void insert_delta(Oid namespace_oid, const CountKey* key, int64 events) {
    Oid deltas = get_relname_relid("eventlog_count_deltas", namespace_oid);
    if (!OidIsValid(deltas)) return;
    int columns = delta_columns(deltas);
    Relation table = table_open(deltas, RowExclusiveLock);
    bool direct = direct_insert_possible(table, columns);
    if (direct) insert_direct(table, columns, key, events);
    table_close(table, NoLock);
    if (!direct) insert_sql(deltas, columns, key, events);
    ++deltas_since_fold;
}

// --- Deltas summed in memory (begin_count_delta_batch) -----------------------

/// One key's sum. The batch holds at most kBatchKeys keys, searched from the
/// most recent: a buffer's writes mostly repeat the last key, and a buffer
/// with more keys than that writes the sums so far and starts again.
struct BatchedDelta {
    CountKey key;
    int64 events;
};
constexpr int kBatchKeys = 64;

struct DeltaBatch {
    bool open;
    Oid namespace_oid;
    int n;
    BatchedDelta sums[kBatchKeys];
};
DeltaBatch delta_batch = {};

bool same_key(const CountKey* a, const CountKey* b) {
    return a->object_table == b->object_table && same_text(a->tool, b->tool) && same_text(a->actor, b->actor) &&
           same_text(a->actor_id, b->actor_id) && same_text(a->action, b->action) &&
           same_text(a->object_type, b->object_type);
}

char* copy_text(const char* s) { return s != nullptr ? MemoryContextStrdup(TopTransactionContext, s) : nullptr; }

/// Writes the sums (a zero sum writes nothing) and empties the batch.
void write_batch_sums() {
    for (int i = 0; i < delta_batch.n; i++)
        if (delta_batch.sums[i].events != 0)
            insert_delta(delta_batch.namespace_oid, &delta_batch.sums[i].key, delta_batch.sums[i].events);
    delta_batch.n = 0;
}

void add_to_batch(Oid namespace_oid, const CountKey* key, int64 events) {
    if (delta_batch.n > 0 && delta_batch.namespace_oid != namespace_oid) write_batch_sums();
    delta_batch.namespace_oid = namespace_oid;
    for (int i = delta_batch.n - 1; i >= 0; i--) {
        if (same_key(&delta_batch.sums[i].key, key)) {
            delta_batch.sums[i].events += events;
            return;
        }
    }
    if (delta_batch.n == kBatchKeys) write_batch_sums();
    BatchedDelta* sum = &delta_batch.sums[delta_batch.n];
    sum->key = {copy_text(key->tool),   copy_text(key->actor),       copy_text(key->actor_id),
                copy_text(key->action), copy_text(key->object_type), key->object_table};
    sum->events = events;
    delta_batch.n++;
}

int64 int64_result(int column) {
    bool isnull;
    Datum value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, column, &isnull);
    return isnull ? 0 : DatumGetInt64(value);
}

/// counts_stand_for_log's last answer, and what it depends on besides
/// the catalogs (whose changes clear it).
struct StandCache {
    bool valid;
    Oid namespace_oid;
    Oid user;
    bool row_security;
    Oid tables[3];
    bool answer;
};
StandCache stand = {};

/// A policy's expression as text, its columns named (tables number their
/// columns differently; names are what the policies share).
char* expression_text(Expr* expression, Relation table) {
    if (expression == nullptr) return nullptr;
    return deparse_expression(reinterpret_cast<Node*>(expression),
                              deparse_context_for(RelationGetRelationName(table), RelationGetRelid(table)), false,
                              false);
}

bool same_policy(RowSecurityPolicy* a, Relation a_table, RowSecurityPolicy* b, Relation b_table) {
    return a->polcmd == b->polcmd && a->permissive == b->permissive &&
           datumIsEqual(PointerGetDatum(a->roles), PointerGetDatum(b->roles), false, -1) &&
           same_text(expression_text(a->qual, a_table), expression_text(b->qual, b_table)) &&
           same_text(expression_text(a->with_check_qual, a_table), expression_text(b->with_check_qual, b_table));
}

bool same_policies(Relation a, Relation b) {
    List* a_policies = a->rd_rsdesc != nullptr ? a->rd_rsdesc->policies : NIL;
    List* b_policies = b->rd_rsdesc != nullptr ? b->rd_rsdesc->policies : NIL;
    if (list_length(a_policies) != list_length(b_policies)) return false;
    ListCell* cell;
    foreach (cell, a_policies) {
        auto* policy = static_cast<RowSecurityPolicy*>(lfirst(cell));
        RowSecurityPolicy* match = nullptr;
        ListCell* other;
        foreach (other, b_policies) {
            auto* candidate = static_cast<RowSecurityPolicy*>(lfirst(other));
            if (std::strcmp(candidate->policy_name, policy->policy_name) == 0) match = candidate;
        }
        if (match == nullptr || !same_policy(policy, a, match, b)) return false;
    }
    return true;
}

bool compute_stand(const Oid* tables) {
    int state = check_enable_rls(tables[0], InvalidOid, true);
    for (int i = 1; i < 3; i++)
        if (check_enable_rls(tables[i], InvalidOid, true) != state) return false;
    if (state != RLS_ENABLED) return true;  // bypassed (or off) for all three
    Relation log = table_open(tables[0], AccessShareLock);
    bool same = true;
    for (int i = 1; i < 3 && same; i++) {
        Relation counts = table_open(tables[i], AccessShareLock);
        same = same_policies(log, counts);
        table_close(counts, AccessShareLock);
    }
    table_close(log, AccessShareLock);
    return same;
}

}  // namespace

bool counts_stand_for_log(Oid namespace_oid) {
    Oid user = GetUserId();
    if (stand.valid && stand.namespace_oid == namespace_oid && stand.user == user && stand.row_security == row_security)
        return stand.answer;
    Oid tables[3] = {get_relname_relid("eventlog", namespace_oid), get_relname_relid("eventlog_counts", namespace_oid),
                     get_relname_relid("eventlog_count_deltas", namespace_oid)};
    if (!OidIsValid(tables[0]) || !OidIsValid(tables[1]) || !OidIsValid(tables[2])) return false;
    bool answer = compute_stand(tables);
    stand = {true, namespace_oid, user, row_security, {tables[0], tables[1], tables[2]}, answer};
    return answer;
}

void forget_counts_stand(Oid relation) {
    if (!stand.valid) return;
    if (relation == InvalidOid || relation == stand.tables[0] || relation == stand.tables[1] ||
        relation == stand.tables[2])
        stand.valid = false;
}

void forget_counts_stand_on_role_change(uint32) { stand.valid = false; }

bool counts_have_actor_id(Oid namespace_oid) {
    Oid deltas = get_relname_relid("eventlog_count_deltas", namespace_oid);
    return OidIsValid(deltas) && delta_columns(deltas) == kDeltaColumns;
}

const char* count_key_columns(bool with_actor_id) {
    return with_actor_id ? "tool, actor, action, object_type, object_table, actor_id"
                         : "tool, actor, action, object_type, object_table";
}

char* negative_deltas_sql(const char* schema, const char* source, bool with_actor_id) {
    const char* extra = with_actor_id ? ", r.actor_id" : "";
    return psprintf(
        "INSERT INTO %s.eventlog_count_deltas (%s, events) "
        "SELECT r.tool, r.actor, r.action, r.object_type, r.object_table%s, "
        "OPERATOR(pg_catalog.-) pg_catalog.count(*) FROM %s r "
        "GROUP BY r.tool, r.actor, r.action, r.object_type, r.object_table%s",
        schema, count_key_columns(with_actor_id), extra, source, extra);
}

void record_count_delta(Oid namespace_oid, const CountKey* key, int64 events) {
    if (delta_batch.open) {
        add_to_batch(namespace_oid, key, events);
        return;
    }
    insert_delta(namespace_oid, key, events);

    // A fold deletes rows another transaction may have folded meanwhile:
    // harmless under READ COMMITTED (the row is skipped), a serialization
    // failure under a transaction snapshot, so only the former folds.
    if (!folds_deferred) fold_count_deltas_if_due(namespace_oid);
}

void begin_count_delta_batch() { delta_batch = {true, InvalidOid, 0, {}}; }

void write_count_delta_batch() {
    write_batch_sums();
    delta_batch.open = false;
}

void discard_count_delta_batch() noexcept {
    delta_batch.open = false;
    delta_batch.n = 0;
}

void defer_count_folds(bool defer) { folds_deferred = defer; }

void fold_count_deltas_if_due(Oid namespace_oid) {
    if (deltas_since_fold >= kFoldEvery && !IsolationUsesXactSnapshot()) {
        if (fold_count_deltas(namespace_oid, false) >= 0) deltas_since_fold = 0;
    }
}

int64 fold_count_deltas(Oid namespace_oid, bool wait) {
    Oid counts = get_relname_relid("eventlog_counts", namespace_oid);
    if (!OidIsValid(counts) || !OidIsValid(get_relname_relid("eventlog_count_deltas", namespace_oid))) return 0;
    // One fold at a time (the lock lasts until the transaction ends);
    // writers and readers never wait for it.
    if (wait)
        LockRelationOid(counts, ShareUpdateExclusiveLock);
    else if (!ConditionalLockRelationOid(counts, ShareUpdateExclusiveLock))
        return -1;
    const char* schema = quote_identifier(get_namespace_name(namespace_oid));
    bool with_actor_id = counts_have_actor_id(namespace_oid);
    char* sql = psprintf(
        "WITH folded AS (DELETE FROM %1$s.eventlog_count_deltas "
        "    RETURNING %2$s, events), "
        "per_filter AS ("
        "    SELECT 'tool'::text AS filter, f.tool AS value, f.object_table, f.events FROM folded f "
        "    UNION ALL SELECT 'actor', f.actor, f.object_table, f.events FROM folded f "
        "    UNION ALL SELECT 'action', f.action, f.object_table, f.events FROM folded f "
        "    UNION ALL SELECT 'object_type', f.object_type, f.object_table, f.events FROM folded f%3$s), "
        "upserted AS ("
        "    INSERT INTO %1$s.eventlog_counts AS c (filter, value, object_table, events) "
        "    SELECT p.filter, p.value, p.object_table, pg_catalog.sum(p.events)::bigint FROM per_filter p "
        "    GROUP BY p.filter, p.value, p.object_table "
        "    ON CONFLICT (filter, value, object_table) "
        "    DO UPDATE SET events = c.events OPERATOR(pg_catalog.+) excluded.events RETURNING 1) "
        "SELECT (SELECT pg_catalog.count(*) FROM folded), (SELECT pg_catalog.count(*) FROM upserted)",
        schema, count_key_columns(with_actor_id),
        with_actor_id ? " UNION ALL SELECT 'actor_id', f.actor_id, f.object_table, f.events FROM folded f" : "");
    SavedUser saved = become_table_owner(counts);
    // Never compiled by JIT: the planner's estimate for the deltas table
    // (its pages, dead rows included) can pass jit_above_cost, and
    // compiling would cost far more than the fold itself. (Restored below,
    // or by the transaction's abort on an error.)
    int guc_level = NewGUCNestLevel();
    (void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "eventlog: SPI_connect failed");
    int rc = SPI_execute(sql, false, 0);
    if (rc != SPI_OK_SELECT || SPI_processed != 1)
        elog(ERROR, "eventlog: folding the counts failed: %s", SPI_result_code_string(rc));
    int64 folded = int64_result(1);
    SPI_finish();
    AtEOXact_GUC(true, guc_level);
    restore_user(saved);
    elog(DEBUG1, "eventlog: folded " INT64_FORMAT " count deltas", folded);
    return folded;
}

int64 rebuild_counts(Oid namespace_oid) {
    Oid counts = get_relname_relid("eventlog_counts", namespace_oid);
    Oid deltas = get_relname_relid("eventlog_count_deltas", namespace_oid);
    if (!OidIsValid(counts) || !OidIsValid(deltas))
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("eventlog_counts_rebuild: the counts tables are missing"),
                        errhint("ALTER EXTENSION eventlog UPDATE creates them.")));
    // No fold runs, and no writer adds a delta, until this transaction
    // ends: every committed event then has its delta committed too, and the
    // events counted below are exactly those whose deltas are removed.
    LockRelationOid(counts, ExclusiveLock);
    LockRelationOid(deltas, ExclusiveLock);
    const char* schema = quote_identifier(get_namespace_name(namespace_oid));
    bool with_actor_id = delta_columns(deltas) == kDeltaColumns;
    SavedUser saved = become_table_owner(counts);
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "eventlog: SPI_connect failed");
    int rc = SPI_execute(psprintf("DELETE FROM %s.eventlog_count_deltas", schema), false, 0);
    if (rc != SPI_OK_DELETE) elog(ERROR, "eventlog: emptying the count deltas failed: %s", SPI_result_code_string(rc));
    rc = SPI_execute(psprintf("DELETE FROM %s.eventlog_counts", schema), false, 0);
    if (rc != SPI_OK_DELETE) elog(ERROR, "eventlog: emptying the counts failed: %s", SPI_result_code_string(rc));
    char* sql = psprintf(
        "WITH counted AS ("
        "    INSERT INTO %1$s.eventlog_counts (filter, value, object_table, events) "
        "    SELECT v.filter, v.value, e.object_table, pg_catalog.count(*) FROM %1$s.eventlog e "
        "    CROSS JOIN LATERAL (VALUES ('tool'::text, e.tool), ('actor', e.actor), ('action', e.action), "
        "                               ('object_type', e.object_type)%2$s) AS v(filter, value) "
        "    GROUP BY v.filter, v.value, e.object_table RETURNING filter, events) "
        "SELECT COALESCE(pg_catalog.sum(c.events), 0)::bigint FROM counted c "
        "WHERE c.filter OPERATOR(pg_catalog.=) 'tool'",
        schema, with_actor_id ? ", ('actor_id', e.actor_id)" : "");
    rc = SPI_execute(sql, false, 0);
    if (rc != SPI_OK_SELECT || SPI_processed != 1)
        elog(ERROR, "eventlog: recounting the events failed: %s", SPI_result_code_string(rc));
    int64 events = int64_result(1);
    SPI_finish();
    restore_user(saved);
    return events;
}

}  // namespace eventlog::pg

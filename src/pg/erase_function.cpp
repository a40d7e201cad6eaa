// eventlog_erase(object_type text, object_id text, keys text[] DEFAULT NULL,
//                reason text DEFAULT NULL) RETURNS bigint
// eventlog_erase_actor(actor text, reason text DEFAULT NULL) RETURNS bigint
// eventlog_erase_older(older_than interval, keys text[], tool text DEFAULT NULL,
//                      object_table regclass DEFAULT NULL, reason text DEFAULT NULL) RETURNS bigint
//
// The one sanctioned way to change recorded events: the values of some
// keys (in one object's events, or in the events older than a cutoff), or
// an actor (replaced by a pseudonym), are erased from the events' erasable
// fields (erasure.hpp). Each call:
//   - is for the log's owner and the members of its role (42501 otherwise);
//   - holds off sealing (the seal's advisory lock) for its transaction, and
//     writes the seal state row, so that a seal and an erasure that do not
//     see each other's work fail to serialize under snapshot isolation;
//   - refuses (55000) to change an event sealed under encoding 1 (before
//     1.4): its seal chains a publicly computable hash of its values;
//   - for each changed event that is sealed (encoding 2): replaces its
//     secret, and records what its seal chained and a commitment to what the
//     erasure left (eventlog_erasures), the records chained into a head;
//   - updates the events inside the append-only guard's erase window (only
//     the erasable columns may change there);
//   - for an actor, moves its counts to the pseudonym;
//   - records one event of its own (tool eventlog, action erase) holding the
//     erasure's number, the records' count and head, how many events
//     changed, the keys (or the pseudonym) and the reason: no erased value.
// Events are read, changed and recorded in batches, in a stable order.
// PostgreSQL-style code (no C++ objects); erase_event (erasure.cpp) is
// rich C++ behind a plain interface.
#include "pg/append_only.hpp"
#include "pg/boundary.hpp"
#include "pg/erasure.hpp"
#include "pg/event_counts.hpp"
#include "pg/event_visibility.hpp"
#include "pg/event_writer.hpp"
#include "pg/owner_rights.hpp"
#include "pg/postgres.hpp"

namespace eventlog::pg {

namespace {

constexpr int kBatch = 1000;
constexpr int kSecretLength = 32;

enum class Kind { Object, Actor, Older };

/// The columns the batches' query returns, in order.
enum Column {
    kId = 1,
    kTimestamp,
    kActor,
    kActorId,
    kMessage,
    kTemplate,
    kTool,
    kAction,
    kObjectType,
    kObjectId,
    kChanges,
    kValuesJson,
    kContext,
    kIsSealed,
    kSealed,
};

struct Erasure {
    const char* function;
    Kind kind;
    Oid namespace_oid;
    const char* schema;  // quoted
    Oid log;
    ErasureRequest request;
    Datum* keys;                 // request.keys as text datums
    const char* given_actor_id;  // eventlog_erase_actor's actor_id argument
    ArrayType* actor_ids;        // the actor's ids (text[]): given, and found on its events
    // Which events: one object's, one actor's, or those older than cutoff.
    const char* object_type;
    const char* object_id;
    TimestampTz cutoff;
    const char* tool;
    Oid object_table;
    int64 number;     // the erasure's number (eventlog_erasure_seq)
    int64 legacy_to;  // events up to this id are sealed under encoding 1
    int64 sealed_to;  // events up to this id are sealed
    int64 changed;
    int32 records;
    uint8 head[PG_SHA256_DIGEST_LENGTH];
};

/// The rows of one batch that change, as the arrays of the UPDATE.
struct Changes {
    int n;
    Datum* ids;
    Datum* times;
    Datum* actors;
    bool* actor_nulls;
    Datum* actor_ids;
    bool* actor_id_nulls;
    Datum* old_actors;  // (the counts of an actor move from these)
    bool* old_actor_nulls;
    Datum* old_actor_ids;
    bool* old_actor_id_nulls;
    Datum* messages;
    Datum* changes;
    bool* changes_nulls;
    Datum* values;
    bool* values_nulls;
    Datum* contexts;
    bool* context_nulls;
    Datum* secrets;  // the new secret of each sealed event (NULL: not sealed)
    bool* secret_nulls;
    Datum* sealed;  // what the seal of each sealed event chained
    bool* sealed_nulls;
};

Datum text_or_null(const char* s, bool* isnull) {
    *isnull = s == nullptr;
    return s != nullptr ? CStringGetTextDatum(s) : (Datum) 0;
}

ArrayType* array_of(Datum* values, bool* nulls, int n, Oid type) {
    int16 typlen;
    bool typbyval;
    char typalign;
    get_typlenbyvalalign(type, &typlen, &typbyval, &typalign);
    int dims[1] = {n};
    int lbs[1] = {1};
    return construct_md_array(values, nulls, 1, dims, lbs, type, typlen, typbyval, typalign);
}

void spi_check(int rc, int expected, const char* what) {
    if (rc != expected) elog(ERROR, "eventlog: %s failed: %s", what, SPI_result_code_string(rc));
}

/// The statements an erasure runs, prepared once per backend and kept
/// (SPI_keepplan): an erasure per object, 10,000 of them in a row, would
/// otherwise parse and plan each of them every time. Kept per schema of the
/// extension; PostgreSQL's plan cache revalidates them after DDL.
enum PlanSlot {
    kLockSeals,
    kClaimState,
    kReadSeals,
    kSelectObject,
    kSelectActor,
    kSelectOlder,
    kUpdateKeys,
    kUpdateActor,
    kInsertRecords,
    kReplaceSecrets,
    kRecordErasure,
    kPlanSlots
};

struct PlanCache {
    Oid namespace_oid;
    char* schema;  // in TopMemoryContext
    SPIPlanPtr plans[kPlanSlots];
};
PlanCache plan_cache = {};

SPIPlanPtr cached_plan(Oid namespace_oid, const char* schema, PlanSlot slot, const char* sql, int nargs, Oid* types) {
    if (plan_cache.namespace_oid != namespace_oid || plan_cache.schema == nullptr ||
        strcmp(plan_cache.schema, schema) != 0) {
        for (SPIPlanPtr& plan : plan_cache.plans) {
            if (plan != nullptr) SPI_freeplan(plan);
            plan = nullptr;
        }
        if (plan_cache.schema != nullptr) pfree(plan_cache.schema);
        plan_cache.schema = MemoryContextStrdup(TopMemoryContext, schema);
        plan_cache.namespace_oid = namespace_oid;
    }
    if (plan_cache.plans[slot] == nullptr) {
        // Generic plans (planned once): the statements are shaped so that
        // any plan looks events up by key (and re-planning each call, with
        // the SQL functions inlined into them, costs more than running them).
        SPIPlanPtr plan = SPI_prepare_cursor(sql, nargs, types, CURSOR_OPT_GENERIC_PLAN);
        if (plan == nullptr)
            elog(ERROR, "eventlog: preparing the erasure failed: %s", SPI_result_code_string(SPI_result));
        if (SPI_keepplan(plan) != 0) elog(ERROR, "eventlog: keeping the erasure's plan failed");
        plan_cache.plans[slot] = plan;
    }
    return plan_cache.plans[slot];
}

bytea* random_bytes(int length) {
    bytea* out = static_cast<bytea*>(palloc(VARHDRSZ + length));
    SET_VARSIZE(out, VARHDRSZ + length);
    if (!pg_strong_random(VARDATA(out), length))
        ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("eventlog: could not generate random bytes")));
    return out;
}

bytea* zero_bytes(int length) {
    bytea* out = static_cast<bytea*>(palloc0(VARHDRSZ + length));
    SET_VARSIZE(out, VARHDRSZ + length);
    return out;
}

/// "erased-actor-" and 16 random hex digits.
char* new_pseudonym() {
    bytea* bytes = random_bytes(8);
    char hex[17];
    hex_encode(VARDATA(bytes), 8, hex);
    hex[16] = '\0';
    return psprintf("erased-actor-%s", hex);
}

void check_owner(const Erasure* e) {
    if (!has_privs_of_role(GetUserId(), table_owner(e->log)))
        ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
                        errmsg("%s: only the owner of eventlog (or a member of its role) may erase", e->function),
                        errhint("Erasure changes recorded events; it is for the log's owner, %s.",
                                GetUserNameFromId(table_owner(e->log), false))));
}

/// The keys of a text[] argument (22023 for NULL elements or none).
void take_keys(Erasure* e, ArrayType* keys) {
    Datum* elements;
    bool* nulls;
    int n;
    deconstruct_array(keys, TEXTOID, -1, false, TYPALIGN_INT, &elements, &nulls, &n);
    if (n == 0)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s: keys must name a key", e->function),
                        errhint("NULL (eventlog_erase only) erases every column of the object's table but its "
                                "primary key.")));
    const char** names = static_cast<const char**>(palloc(sizeof(char*) * n));
    for (int i = 0; i < n; i++) {
        if (nulls[i])
            ereport(ERROR,
                    (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s: keys must not hold NULL", e->function)));
        names[i] = TextDatumGetCString(elements[i]);
    }
    e->request.keys = names;
    e->request.nkeys = n;
    e->keys = elements;
}

/// keys NULL: every column of the object's table but its primary key (the
/// table the object's events name, else the one its object_type names).
void take_table_columns(Erasure* e) {
    Oid table = InvalidOid;
    Oid types[2] = {TEXTOID, TEXTOID};
    Datum values[2] = {CStringGetTextDatum(e->object_type), CStringGetTextDatum(e->object_id)};
    int rc = SPI_execute_with_args(
        psprintf("SELECT e.object_table::pg_catalog.oid FROM %s.eventlog e "
                 "WHERE e.object_type OPERATOR(pg_catalog.=) $1 AND e.object_id OPERATOR(pg_catalog.=) $2 "
                 "AND e.object_table IS NOT NULL ORDER BY e.id DESC LIMIT 1",
                 e->schema),
        2, types, values, nullptr, true, 1);
    spi_check(rc, SPI_OK_SELECT, "finding the object's table");
    if (SPI_processed == 1) {
        bool isnull;
        table = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
        if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(table))) table = InvalidOid;
    }
    if (!OidIsValid(table)) table = table_named(e->object_type);
    if (!OidIsValid(table))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: keys NULL means every column of the object's table, but \"%s\" names no table",
                               e->function, e->object_type),
                        errhint("Name the keys to erase.")));
    Oid table_types[1] = {OIDOID};
    Datum table_values[1] = {ObjectIdGetDatum(table)};
    rc = SPI_execute_with_args(
        "SELECT pg_catalog.array_agg(a.attname::pg_catalog.text ORDER BY a.attnum) FROM pg_catalog.pg_attribute a "
        "WHERE a.attrelid OPERATOR(pg_catalog.=) $1 AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped "
        "AND NOT EXISTS (SELECT FROM pg_catalog.pg_index i WHERE i.indrelid OPERATOR(pg_catalog.=) a.attrelid "
        "AND i.indisprimary AND a.attnum OPERATOR(pg_catalog.=) ANY (i.indkey))",
        1, table_types, table_values, nullptr, true, 1);
    spi_check(rc, SPI_OK_SELECT, "listing the table's columns");
    bool isnull;
    Datum columns = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
    if (isnull)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("%s: table %s has no column besides its primary key", e->function, get_rel_name(table)),
                        errhint("Name the keys to erase.")));
    take_keys(e, DatumGetArrayTypeP(columns));
}

/// An actor's ids: the one given, and those its events (by name) carry.
void take_actor_ids(Erasure* e) {
    Oid types[2] = {TEXTOID, TEXTOID};
    Datum values[2];
    char nulls[2] = {' ', ' '};
    values[0] = e->request.actor != nullptr ? CStringGetTextDatum(e->request.actor) : (Datum) 0;
    nulls[0] = e->request.actor != nullptr ? ' ' : 'n';
    values[1] = e->given_actor_id != nullptr ? CStringGetTextDatum(e->given_actor_id) : (Datum) 0;
    nulls[1] = e->given_actor_id != nullptr ? ' ' : 'n';
    int rc =
        SPI_execute_with_args(psprintf("SELECT COALESCE(pg_catalog.array_agg(DISTINCT i.id), '{}') FROM ("
                                       "SELECT e.actor_id FROM %s.eventlog e WHERE e.actor OPERATOR(pg_catalog.=) $1 "
                                       "AND e.actor_id IS NOT NULL UNION SELECT $2) AS i(id) WHERE i.id IS NOT NULL",
                                       e->schema),
                              2, types, values, nulls, true, 1);
    spi_check(rc, SPI_OK_SELECT, "finding the actor's ids");
    bool isnull;
    Datum ids = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
    e->actor_ids = DatumGetArrayTypePCopy(ids);
    Datum* elements;
    bool* element_nulls;
    int n;
    deconstruct_array(e->actor_ids, TEXTOID, -1, false, TYPALIGN_INT, &elements, &element_nulls, &n);
    const char** names = static_cast<const char**>(palloc(sizeof(char*) * (n + 1)));
    for (int i = 0; i < n; i++) names[i] = TextDatumGetCString(elements[i]);
    e->request.actor_ids = names;
    e->request.nactor_ids = n;
}

/// Holds sealing off, and makes a seal this transaction's snapshot does not
/// see a serialization failure; then what is sealed, and how.
void hold_seals(Erasure* e) {
    Oid types[1] = {INT8OID};
    Datum values[1] = {Int64GetDatum(static_cast<int64>(e->log))};
    int rc = SPI_execute_plan(
        cached_plan(e->namespace_oid, e->schema, kLockSeals,
                    "SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('eventlog seal', $1))", 1,
                    types),
        values, nullptr, false, 0);
    spi_check(rc, SPI_OK_SELECT, "locking out seals");
    rc = SPI_execute_plan(
        cached_plan(e->namespace_oid, e->schema, kClaimState,
                    psprintf("UPDATE %s.eventlog_seal_state SET pending_last = pending_last", e->schema), 0, nullptr),
        nullptr, nullptr, false, 0);
    spi_check(rc, SPI_OK_UPDATE, "claiming the seal state");
    rc = SPI_execute_plan(
        cached_plan(e->namespace_oid, e->schema, kReadSeals,
                    psprintf("SELECT COALESCE(pg_catalog.max(s.sealed_to) FILTER (WHERE s.encoding "
                             "OPERATOR(pg_catalog.=) 1), 0), COALESCE(pg_catalog.max(s.sealed_to), 0), "
                             "pg_catalog.nextval('%s.eventlog_erasure_seq'::pg_catalog.regclass) "
                             "FROM %s.eventlog_seals s",
                             e->schema, e->schema),
                    0, nullptr),
        nullptr, nullptr, false, 0);
    spi_check(rc, SPI_OK_SELECT, "reading the seals");
    bool isnull;
    e->legacy_to = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    e->sealed_to = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
    e->number = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
}

/// The query of the next batch: $1 the sealed horizon, then the
/// selection's parameters, the last two the position after the previous
/// batch (id; and time, for the oldest-first order).
SPIPlanPtr batch_plan(const Erasure* e) {
    const char* select = psprintf(
        "SELECT e.id, e.\"timestamp\", e.actor, e.actor_id, e.message, e.template_message, e.tool, e.action, "
        "e.object_type, "
        "e.object_id, e.changes::pg_catalog.text, e.values_json::pg_catalog.text, e.context::pg_catalog.text, "
        "e.id OPERATOR(pg_catalog.<=) $1, "
        // (scalar subqueries: one index lookup per event, whatever the
        // statistics were when the plan was kept)
        "COALESCE((SELECT z.sealed FROM %1$s.eventlog_erasures z WHERE z.event_id OPERATOR(pg_catalog.=) e.id "
        "          ORDER BY z.erasure DESC LIMIT 1), "
        "         pg_catalog.sha256((SELECT k.secret FROM %1$s.eventlog_seal_secrets k "
        "                            WHERE k.id OPERATOR(pg_catalog.=) e.id) "
        "                           OPERATOR(pg_catalog.||) pg_catalog.convert_to(%1$s.eventlog_seal_erasable(e), "
        "                                                                          'UTF8'))) "
        "FROM %1$s.eventlog e ",
        e->schema);
    const char* own = "(e.tool IS NULL OR e.tool OPERATOR(pg_catalog.<>) 'eventlog')";
    char* sql = nullptr;
    int nargs = 0;
    Oid types[6];
    types[0] = INT8OID;
    switch (e->kind) {
        case Kind::Object:
            sql = psprintf(
                "%s WHERE e.object_type OPERATOR(pg_catalog.=) $2 AND e.object_id OPERATOR(pg_catalog.=) $3 "
                "AND %s AND e.id OPERATOR(pg_catalog.>) $4 ORDER BY e.id LIMIT %d FOR UPDATE OF e",
                select, own, kBatch);
            types[1] = TEXTOID;
            types[2] = TEXTOID;
            types[3] = INT8OID;
            nargs = 4;
            break;
        case Kind::Actor:
            sql = psprintf(
                "%s WHERE (e.actor OPERATOR(pg_catalog.=) $2 OR e.actor_id OPERATOR(pg_catalog.=) ANY ($3)) "
                "AND e.id OPERATOR(pg_catalog.>) $4 ORDER BY e.id LIMIT %d FOR UPDATE OF e",
                select, kBatch);
            types[1] = TEXTOID;
            types[2] = TEXTARRAYOID;
            types[3] = INT8OID;
            nargs = 4;
            break;
        case Kind::Older:
            sql = psprintf(
                "%s WHERE e.\"timestamp\" OPERATOR(pg_catalog.<) $2 AND %s "
                "AND ($3::pg_catalog.text IS NULL OR e.tool OPERATOR(pg_catalog.=) $3) "
                "AND ($4::pg_catalog.oid IS NULL OR e.object_table::pg_catalog.oid OPERATOR(pg_catalog.=) $4) "
                "AND (e.\"timestamp\", e.id) OPERATOR(pg_catalog.>) ($6, $5) "
                "ORDER BY e.\"timestamp\", e.id LIMIT %d FOR UPDATE OF e",
                select, own, kBatch);
            types[1] = TIMESTAMPTZOID;
            types[2] = TEXTOID;
            types[3] = OIDOID;
            types[4] = INT8OID;
            types[5] = TIMESTAMPTZOID;
            nargs = 6;
            break;
    }
    PlanSlot slot = e->kind == Kind::Object ? kSelectObject : e->kind == Kind::Actor ? kSelectActor : kSelectOlder;
    return cached_plan(e->namespace_oid, e->schema, slot, sql, nargs, types);
}

/// The statement changing a batch's events ($1..$12: the arrays of
/// Changes), returning each sealed event's id, what its seal chained, and
/// the commitment to its new fields under its new secret. For an actor, the
/// counts move from each event's old actor and actor_id to the new ones
/// (deltas of -1 and +1 per event, folded at the end).
SPIPlanPtr update_plan(const Erasure* e) {
    const char* counts =
        e->kind != Kind::Actor
            ? ""
            : psprintf(
                  ", counted AS (INSERT INTO %s.eventlog_count_deltas (tool, actor, action, object_type, "
                  "object_table, actor_id, events) "
                  "SELECT d.tool, x.actor, d.action, d.object_type, d.object_table, x.actor_id, "
                  "x.sign OPERATOR(pg_catalog.*) pg_catalog.count(*) "
                  "FROM updated d JOIN u ON u.id OPERATOR(pg_catalog.=) d.id "
                  "CROSS JOIN LATERAL (VALUES (u.old_actor, u.old_actor_id, -1), (d.actor, d.actor_id, 1)) "
                  "AS x(actor, actor_id, sign) "
                  "GROUP BY d.tool, x.actor, x.actor_id, x.sign, d.action, d.object_type, d.object_table "
                  "RETURNING 1)",
                  e->schema);
    char* sql = psprintf(
        "WITH u AS (SELECT * FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), pg_catalog.unnest($3), "
        "        pg_catalog.unnest($4), pg_catalog.unnest($5), pg_catalog.unnest($6), pg_catalog.unnest($7), "
        "        pg_catalog.unnest($8), pg_catalog.unnest($9), pg_catalog.unnest($10), pg_catalog.unnest($11), "
        "        pg_catalog.unnest($12)) "
        "    AS u(id, at, actor, actor_id, message, changes, values_json, context, secret, sealed, old_actor, "
        "         old_actor_id)), "
        "updated AS (UPDATE %1$s.eventlog e SET actor = u.actor, actor_id = u.actor_id, message = u.message, "
        "    changes = u.changes::pg_catalog.jsonb, values_json = u.values_json::pg_catalog.jsonb, "
        "    context = u.context::pg_catalog.jsonb "
        "    FROM u WHERE e.id OPERATOR(pg_catalog.=) u.id AND e.\"timestamp\" OPERATOR(pg_catalog.=) u.at "
        "    AND e.id OPERATOR(pg_catalog.=) ANY ($1) "
        "    RETURNING e.id, e.tool, e.actor, e.actor_id, e.action, e.object_type, e.object_table, "
        "    %1$s.eventlog_seal_erasable(e) AS erasable)%2$s "
        "SELECT d.id, u.sealed, pg_catalog.sha256(u.secret OPERATOR(pg_catalog.||) "
        "pg_catalog.convert_to(d.erasable, 'UTF8')) "
        "FROM updated d JOIN u ON u.id OPERATOR(pg_catalog.=) d.id WHERE u.secret IS NOT NULL ORDER BY d.id",
        e->schema, counts);
    Oid types[12] = {INT8ARRAYOID, TIMESTAMPTZARRAYOID, TEXTARRAYOID,  TEXTARRAYOID,  TEXTARRAYOID, TEXTARRAYOID,
                     TEXTARRAYOID, TEXTARRAYOID,        BYTEAARRAYOID, BYTEAARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
    return cached_plan(e->namespace_oid, e->schema, e->kind == Kind::Actor ? kUpdateActor : kUpdateKeys, sql, 12,
                       types);
}

void add_change(Changes* c, int64 id, Datum at, const EventText* before, const EventText* after, bool sealed,
                Datum sealed_value) {
    int i = c->n++;
    c->ids[i] = Int64GetDatum(id);
    c->times[i] = at;
    c->actors[i] = text_or_null(after->actor, &c->actor_nulls[i]);
    c->actor_ids[i] = text_or_null(after->actor_id, &c->actor_id_nulls[i]);
    c->old_actors[i] = text_or_null(before->actor, &c->old_actor_nulls[i]);
    c->old_actor_ids[i] = text_or_null(before->actor_id, &c->old_actor_id_nulls[i]);
    bool message_null;
    c->messages[i] = text_or_null(after->message, &message_null);
    c->changes[i] = text_or_null(after->changes, &c->changes_nulls[i]);
    c->values[i] = text_or_null(after->values_json, &c->values_nulls[i]);
    c->contexts[i] = text_or_null(after->context, &c->context_nulls[i]);
    c->secret_nulls[i] = !sealed;
    c->secrets[i] = sealed ? PointerGetDatum(random_bytes(kSecretLength)) : (Datum) 0;
    c->sealed_nulls[i] = !sealed;
    c->sealed[i] = sealed ? sealed_value : (Datum) 0;
}

Changes* new_changes(int capacity) {
    auto* c = static_cast<Changes*>(palloc0(sizeof(Changes)));
    c->ids = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
    c->times = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
    c->actors = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
    c->actor_nulls = static_cast<bool*>(palloc(sizeof(bool) * capacity));
    c->actor_ids = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
    c->actor_id_nulls = static_cast<bool*>(palloc(sizeof(bool) * capacity));
    c->old_actors = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
    c->old_actor_nulls = static_cast<bool*>(palloc(sizeof(bool) * capacity));
    c->old_actor_ids = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
    c->old_actor_id_nulls = static_cast<bool*>(palloc(sizeof(bool) * capacity));
    c->messages = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
    c->changes = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
    c->changes_nulls = static_cast<bool*>(palloc(sizeof(bool) * capacity));
    c->values = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
    c->values_nulls = static_cast<bool*>(palloc(sizeof(bool) * capacity));
    c->contexts = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
    c->context_nulls = static_cast<bool*>(palloc(sizeof(bool) * capacity));
    c->secrets = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
    c->secret_nulls = static_cast<bool*>(palloc(sizeof(bool) * capacity));
    c->sealed = static_cast<Datum*>(palloc(sizeof(Datum) * capacity));
    c->sealed_nulls = static_cast<bool*>(palloc(sizeof(bool) * capacity));
    return c;
}

/// h = sha256(h || text): the chain of one erasure's records.
void chain_record(Erasure* e, const char* text) {
    pg_cryptohash_ctx* ctx = pg_cryptohash_create(PG_SHA256);
    if (ctx == nullptr || pg_cryptohash_init(ctx) < 0 || pg_cryptohash_update(ctx, e->head, sizeof(e->head)) < 0 ||
        pg_cryptohash_update(ctx, reinterpret_cast<const uint8*>(text), strlen(text)) < 0 ||
        pg_cryptohash_final(ctx, e->head, sizeof(e->head)) < 0)
        elog(ERROR, "eventlog: could not compute SHA-256");
    pg_cryptohash_free(ctx);
}

char* hex_of(bytea* value) {
    int length = VARSIZE_ANY_EXHDR(value);
    char* out = static_cast<char*>(palloc(2 * length + 1));
    hex_encode(VARDATA_ANY(value), length, out);
    out[2 * length] = '\0';
    return out;
}

/// Writes a batch's changes, then the records and new secrets of its
/// sealed events.
void apply_changes(Erasure* e, SPIPlanPtr update, const Changes* c) {
    Datum args[12];
    char nulls[12];
    memset(nulls, ' ', sizeof(nulls));
    args[0] = PointerGetDatum(array_of(c->ids, nullptr, c->n, INT8OID));
    args[1] = PointerGetDatum(array_of(c->times, nullptr, c->n, TIMESTAMPTZOID));
    args[2] = PointerGetDatum(array_of(c->actors, c->actor_nulls, c->n, TEXTOID));
    args[3] = PointerGetDatum(array_of(c->actor_ids, c->actor_id_nulls, c->n, TEXTOID));
    args[4] = PointerGetDatum(array_of(c->messages, nullptr, c->n, TEXTOID));
    args[5] = PointerGetDatum(array_of(c->changes, c->changes_nulls, c->n, TEXTOID));
    args[6] = PointerGetDatum(array_of(c->values, c->values_nulls, c->n, TEXTOID));
    args[7] = PointerGetDatum(array_of(c->contexts, c->context_nulls, c->n, TEXTOID));
    args[8] = PointerGetDatum(array_of(c->secrets, c->secret_nulls, c->n, BYTEAOID));
    args[9] = PointerGetDatum(array_of(c->sealed, c->sealed_nulls, c->n, BYTEAOID));
    args[10] = PointerGetDatum(array_of(c->old_actors, c->old_actor_nulls, c->n, TEXTOID));
    args[11] = PointerGetDatum(array_of(c->old_actor_ids, c->old_actor_id_nulls, c->n, TEXTOID));
    open_erase_window();
    int rc = SPI_execute_plan(update, args, nulls, false, 0);
    close_erase_window();
    spi_check(rc, SPI_OK_SELECT, "erasing");

    int n = static_cast<int>(SPI_processed);
    if (n == 0) return;
    SPITupleTable* sealed = SPI_tuptable;
    Datum* ords = static_cast<Datum*>(palloc(sizeof(Datum) * n));
    Datum* ids = static_cast<Datum*>(palloc(sizeof(Datum) * n));
    Datum* was = static_cast<Datum*>(palloc(sizeof(Datum) * n));
    Datum* now = static_cast<Datum*>(palloc(sizeof(Datum) * n));
    Datum* secrets = static_cast<Datum*>(palloc(sizeof(Datum) * n));
    for (int i = 0; i < n; i++) {
        bool isnull;
        ids[i] = SPI_getbinval(sealed->vals[i], sealed->tupdesc, 1, &isnull);
        was[i] = SPI_getbinval(sealed->vals[i], sealed->tupdesc, 2, &isnull);
        now[i] = SPI_getbinval(sealed->vals[i], sealed->tupdesc, 3, &isnull);
        ords[i] = Int32GetDatum(++e->records);
        chain_record(e, psprintf("%d\t" INT64_FORMAT "\t%s\t%s", e->records, DatumGetInt64(ids[i]),
                                 hex_of(DatumGetByteaPP(was[i])), hex_of(DatumGetByteaPP(now[i]))));
        secrets[i] = (Datum) 0;
        for (int j = 0; j < c->n; j++)
            if (DatumGetInt64(c->ids[j]) == DatumGetInt64(ids[i])) secrets[i] = c->secrets[j];
    }
    Oid record_types[5] = {INT8OID, INT4ARRAYOID, INT8ARRAYOID, BYTEAARRAYOID, BYTEAARRAYOID};
    Datum record_args[5] = {Int64GetDatum(e->number), PointerGetDatum(array_of(ords, nullptr, n, INT4OID)),
                            PointerGetDatum(array_of(ids, nullptr, n, INT8OID)),
                            PointerGetDatum(array_of(was, nullptr, n, BYTEAOID)),
                            PointerGetDatum(array_of(now, nullptr, n, BYTEAOID))};
    rc = SPI_execute_plan(
        cached_plan(e->namespace_oid, e->schema, kInsertRecords,
                    psprintf("INSERT INTO %s.eventlog_erasures (erasure, ord, event_id, sealed, current) "
                             "SELECT $1, r.ord, r.event_id, r.sealed, r.current "
                             "FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4), "
                             "pg_catalog.unnest($5)) AS r(ord, event_id, sealed, current)",
                             e->schema),
                    5, record_types),
        record_args, nullptr, false, 0);
    spi_check(rc, SPI_OK_INSERT, "recording the erasure");
    Oid secret_types[2] = {INT8ARRAYOID, BYTEAARRAYOID};
    Datum secret_args[2] = {PointerGetDatum(array_of(ids, nullptr, n, INT8OID)),
                            PointerGetDatum(array_of(secrets, nullptr, n, BYTEAOID))};
    open_erase_window();
    rc = SPI_execute_plan(cached_plan(e->namespace_oid, e->schema, kReplaceSecrets,
                                      psprintf("INSERT INTO %s.eventlog_seal_secrets AS k (id, secret) "
                                               "SELECT * FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) "
                                               "ON CONFLICT (id) DO UPDATE SET secret = excluded.secret",
                                               e->schema),
                                      2, secret_types),
                          secret_args, nullptr, false, 0);
    close_erase_window();
    spi_check(rc, SPI_OK_INSERT, "replacing the secrets");
    SPI_freetuptable(sealed);
}

const char* value_or_null(HeapTuple tuple, TupleDesc descriptor, int column) {
    return SPI_getvalue(tuple, descriptor, column);
}

/// Reads, erases and writes the selected events, a batch at a time.
void erase_events(Erasure* e) {
    SPIPlanPtr select = batch_plan(e);
    SPIPlanPtr update = update_plan(e);
    MemoryContext batch_memory =
        AllocSetContextCreate(CurrentMemoryContext, "eventlog erasure", ALLOCSET_DEFAULT_SIZES);
    int64 last_id = PG_INT64_MIN;
    TimestampTz last_at = DT_NOBEGIN;
    for (;;) {
        CHECK_FOR_INTERRUPTS();
        Datum args[6];
        char nulls[6];
        memset(nulls, ' ', sizeof(nulls));
        args[0] = Int64GetDatum(e->sealed_to);
        switch (e->kind) {
            case Kind::Object:
                args[1] = CStringGetTextDatum(e->object_type);
                args[2] = CStringGetTextDatum(e->object_id);
                args[3] = Int64GetDatum(last_id);
                break;
            case Kind::Actor:
                args[1] = e->request.actor != nullptr ? CStringGetTextDatum(e->request.actor) : (Datum) 0;
                nulls[1] = e->request.actor != nullptr ? ' ' : 'n';
                args[2] = PointerGetDatum(e->actor_ids);
                args[3] = Int64GetDatum(last_id);
                break;
            case Kind::Older:
                args[1] = TimestampTzGetDatum(e->cutoff);
                args[2] = e->tool != nullptr ? CStringGetTextDatum(e->tool) : (Datum) 0;
                nulls[2] = e->tool != nullptr ? ' ' : 'n';
                args[3] = ObjectIdGetDatum(e->object_table);
                nulls[3] = OidIsValid(e->object_table) ? ' ' : 'n';
                args[4] = Int64GetDatum(last_id);
                args[5] = TimestampTzGetDatum(last_at);
                break;
        }
        int rc = SPI_execute_plan(select, args, nulls, false, 0);
        spi_check(rc, SPI_OK_SELECT, "reading the events to erase");
        SPITupleTable* rows = SPI_tuptable;
        int n = static_cast<int>(SPI_processed);
        if (n == 0) break;
        MemoryContext caller = MemoryContextSwitchTo(batch_memory);
        Changes* changes = new_changes(n);
        for (int i = 0; i < n; i++) {
            HeapTuple row = rows->vals[i];
            TupleDesc descriptor = rows->tupdesc;
            bool isnull;
            int64 id = DatumGetInt64(SPI_getbinval(row, descriptor, kId, &isnull));
            Datum at = SPI_getbinval(row, descriptor, kTimestamp, &isnull);
            last_id = id;
            last_at = DatumGetTimestampTz(at);
            EventText before = {
                value_or_null(row, descriptor, kActor),      value_or_null(row, descriptor, kActorId),
                value_or_null(row, descriptor, kMessage),    value_or_null(row, descriptor, kTemplate),
                value_or_null(row, descriptor, kTool),       value_or_null(row, descriptor, kAction),
                value_or_null(row, descriptor, kObjectType), value_or_null(row, descriptor, kObjectId),
                value_or_null(row, descriptor, kChanges),    value_or_null(row, descriptor, kValuesJson),
                value_or_null(row, descriptor, kContext)};
            EventText after;
            if (!erase_event(&e->request, &before, &after)) continue;
            if (id <= e->legacy_to)
                ereport(ERROR,
                        (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                         errmsg("%s: event " INT64_FORMAT " was sealed before version 1.4; its values cannot be erased",
                                e->function, id),
                         errdetail("Seals written before 1.4 chain a hash of each event's values that anyone holding "
                                   "the seal records could test guesses against: erasing the values would not make "
                                   "them unrecoverable, and would break the event's proof."),
                         errhint("Such events can only leave the log whole, with eventlog_purge. Events sealed from "
                                 "1.4 on, and events not yet sealed, can be erased.")));
            bool sealed = DatumGetBool(SPI_getbinval(row, descriptor, kIsSealed, &isnull));
            Datum sealed_value = SPI_getbinval(row, descriptor, kSealed, &isnull);
            if (sealed) {
                // A sealed event whose secret is gone (its chain is broken
                // already, and verification says so) has nothing to carry
                // over: zeros stand for what its seal chained.
                sealed_value = isnull ? PointerGetDatum(zero_bytes(kSecretLength)) : datumCopy(sealed_value, false, -1);
            }
            add_change(changes, id, at, &before, &after, sealed, sealed_value);
        }
        if (changes->n > 0) {
            apply_changes(e, update, changes);
            e->changed += changes->n;
        }
        MemoryContextSwitchTo(caller);
        MemoryContextReset(batch_memory);
        SPI_freetuptable(rows);
        if (n < kBatch) break;
    }
    MemoryContextDelete(batch_memory);
}

/// An actor's counts, moved by the deltas each batch wrote: folded now, so
/// that the name leaves the deltas, and its rows left at zero removed.
void move_actor_counts(const Erasure* e) {
    fold_count_deltas(e->namespace_oid, true);
    int rc = SPI_execute(psprintf("DELETE FROM %s.eventlog_counts WHERE filter OPERATOR(pg_catalog.=) ANY "
                                  "('{actor,actor_id}'::pg_catalog.text[]) AND events OPERATOR(pg_catalog.=) 0",
                                  e->schema),
                         false, 0);
    spi_check(rc, SPI_OK_DELETE, "moving the actor's counts");
}

bool is_erased_actor_id(const Erasure* e, const char* actor_id) {
    for (int i = 0; i < e->request.nactor_ids; i++)
        if (strcmp(e->request.actor_ids[i], actor_id) == 0) return true;
    return false;
}

/// The erasure's own event, written as the caller.
void record_erasure(const Erasure* e, const char* reason, Interval* older_than) {
    const char* what;
    switch (e->kind) {
        case Kind::Object: what = "Erased the values of {keys} in {events} events"; break;
        case Kind::Actor: what = "Replaced an actor by {pseudonym} in {events} events"; break;
        default: what = "Erased the values of {keys} in {events} events recorded before {before}"; break;
    }
    const char* tmpl = psprintf("%s%s", what, reason != nullptr ? ": {reason}" : ".");
    char digest[2 * PG_SHA256_DIGEST_LENGTH + 1];
    hex_encode(reinterpret_cast<const char*>(e->head), PG_SHA256_DIGEST_LENGTH, digest);
    digest[2 * PG_SHA256_DIGEST_LENGTH] = '\0';
    // The erasing actor, unless it is the actor erased.
    const char* actor = default_actor();
    const char* actor_id = default_actor_id();
    if (e->kind == Kind::Actor) {
        if (e->request.actor != nullptr && strcmp(actor, e->request.actor) == 0) actor = e->request.pseudonym;
        if (actor_id != nullptr && is_erased_actor_id(e, actor_id)) actor_id = e->request.pseudonym;
    }
    const char* object_type = e->kind == Kind::Object ? e->object_type : nullptr;
    if (e->kind == Kind::Older && OidIsValid(e->object_table))
        object_type = quote_qualified_identifier(get_namespace_name(get_rel_namespace(e->object_table)),
                                                 get_rel_name(e->object_table));

    Oid types[15] = {TEXTOID,        INT8OID,     INT8OID, INT4OID, TEXTOID, TEXTARRAYOID, TEXTOID, TEXTOID,
                     TIMESTAMPTZOID, INTERVALOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,      TEXTOID};
    Datum args[15];
    char nulls[15];
    memset(nulls, 'n', sizeof(nulls));
    auto set = [&](int i, Datum value) {
        args[i] = value;
        nulls[i] = ' ';
    };
    set(0, CStringGetTextDatum(tmpl));
    set(1, Int64GetDatum(e->number));
    set(2, Int64GetDatum(e->changed));
    set(3, Int32GetDatum(e->records));
    set(4, CStringGetTextDatum(digest));
    if (e->kind != Kind::Actor) set(5, PointerGetDatum(array_of(e->keys, nullptr, e->request.nkeys, TEXTOID)));
    if (reason != nullptr) set(6, CStringGetTextDatum(reason));
    if (e->kind == Kind::Actor) set(7, CStringGetTextDatum(e->request.pseudonym));
    if (e->kind == Kind::Older) {
        set(8, TimestampTzGetDatum(e->cutoff));
        set(9, IntervalPGetDatum(older_than));
        if (e->tool != nullptr) set(10, CStringGetTextDatum(e->tool));
    }
    if (object_type != nullptr) set(11, CStringGetTextDatum(object_type));
    if (e->kind == Kind::Object) set(12, CStringGetTextDatum(e->object_id));
    set(13, CStringGetTextDatum(actor));
    if (actor_id != nullptr) set(14, CStringGetTextDatum(actor_id));
    char* sql = psprintf(
        "SELECT %s.eventlog_log($1, pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object("
        "'erasure', $2, 'events', $3, 'records', $4, 'records_digest', $5, 'keys', $6, 'reason', $7, "
        "'pseudonym', $8, 'before', $9, 'older_than', $10, 'tool', $11, "
        "'object_table', CASE WHEN $9 IS NOT NULL THEN $12 END)), "
        "$12, $13, $14, 'eventlog', 'erase', actor_id => $15)",
        e->schema);
    int rc = SPI_execute_plan(cached_plan(e->namespace_oid, e->schema, kRecordErasure, sql, 15, types), args, nulls,
                              false, 1);
    spi_check(rc, SPI_OK_SELECT, "recording the erasure");
}

/// Who may erase: decided before anything else is looked at.
void begin(Erasure* e, const char* function, Kind kind, FunctionCallInfo fcinfo) {
    e->function = function;
    e->kind = kind;
    e->namespace_oid = extension_namespace(fcinfo->flinfo->fn_oid);
    e->schema = quote_identifier(get_namespace_name(e->namespace_oid));
    e->log = eventlog_table(e->namespace_oid);
    check_owner(e);
}

/// The common part of the three functions.
int64 run_erasure(Erasure* e, const char* reason, Interval* older_than, bool table_keys) {
    PreventCommandIfReadOnly(e->function);
    PreventCommandIfParallelMode(e->function);
    e->changed = 0;
    e->records = 0;
    memset(e->head, 0, sizeof(e->head));

    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "eventlog: SPI_connect failed");
    SavedUser saved = become_table_owner(e->log);
    if (table_keys) take_table_columns(e);
    if (e->kind == Kind::Actor) take_actor_ids(e);
    hold_seals(e);
    erase_events(e);
    if (e->kind == Kind::Actor) move_actor_counts(e);
    restore_user(saved);
    record_erasure(e, reason, older_than);
    SPI_finish();
    return e->changed;
}

const char* text_arg(FunctionCallInfo fcinfo, int i) {
    return PG_ARGISNULL(i) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(i));
}

Datum erase(FunctionCallInfo fcinfo) {
    Erasure e = {};
    begin(&e, "eventlog_erase", Kind::Object, fcinfo);
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("eventlog_erase: object_type and object_id must not be NULL")));
    e.object_type = text_arg(fcinfo, 0);
    e.object_id = text_arg(fcinfo, 1);
    if (!PG_ARGISNULL(2)) take_keys(&e, PG_GETARG_ARRAYTYPE_P(2));
    PG_RETURN_INT64(run_erasure(&e, text_arg(fcinfo, 3), nullptr, PG_ARGISNULL(2)));
}

Datum erase_actor(FunctionCallInfo fcinfo) {
    Erasure e = {};
    begin(&e, "eventlog_erase_actor", Kind::Actor, fcinfo);
    if (PG_ARGISNULL(0) && (PG_NARGS() < 3 || PG_ARGISNULL(2)))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("eventlog_erase_actor: actor and actor_id must not both be NULL")));
    e.request.actor_mode = true;
    e.request.actor = text_arg(fcinfo, 0);
    e.given_actor_id = PG_NARGS() < 3 ? nullptr : text_arg(fcinfo, 2);
    e.request.pseudonym = new_pseudonym();
    PG_RETURN_INT64(run_erasure(&e, text_arg(fcinfo, 1), nullptr, false));
}

Datum erase_older(FunctionCallInfo fcinfo) {
    Erasure e = {};
    begin(&e, "eventlog_erase_older", Kind::Older, fcinfo);
    if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
        ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                        errmsg("eventlog_erase_older: older_than and keys must not be NULL")));
    Datum older_than = PG_GETARG_DATUM(0);
    Interval zero = {};
    if (DatumGetBool(DirectFunctionCall2(interval_lt, older_than, IntervalPGetDatum(&zero))))
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("eventlog_erase_older: older_than must not be negative")));
    take_keys(&e, PG_GETARG_ARRAYTYPE_P(1));
    e.tool = text_arg(fcinfo, 2);
    e.object_table = PG_ARGISNULL(3) ? InvalidOid : PG_GETARG_OID(3);
    e.cutoff = DatumGetTimestampTz(DirectFunctionCall2(
        timestamptz_mi_interval, TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()), older_than));
    PG_RETURN_INT64(run_erasure(&e, text_arg(fcinfo, 4), DatumGetIntervalP(older_than), false));
}

}  // namespace

}  // namespace eventlog::pg

EVENTLOG_SQL_FUNCTION(eventlog_erase, eventlog::pg::erase)
EVENTLOG_SQL_FUNCTION(eventlog_erase_actor, eventlog::pg::erase_actor)
EVENTLOG_SQL_FUNCTION(eventlog_erase_older, eventlog::pg::erase_older)

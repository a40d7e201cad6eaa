// Every difference between the PostgreSQL majors eventlog supports (15 to
// 19), in one place: the rest of src/pg/ calls these and never tests
// PG_VERSION_NUM itself. PostgreSQL-style code.
#pragma once

#include "pg/postgres.hpp"

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 200000
#error "eventlog supports PostgreSQL 15, 16, 17, 18 and 19"
#endif

namespace eventlog::pg {

/// The table's primary key index when it is immediate (not DEFERRABLE),
/// else InvalidOid. (18 added the deferrable_ok argument.)
inline Oid immediate_primary_key_index(Relation table) {
#if PG_VERSION_NUM >= 180000
    return RelationGetPrimaryKeyIndex(table, false);
#else
    return RelationGetPrimaryKeyIndex(table);
#endif
}

/// Index entries for a tuple just inserted into the result relation, as
/// COPY makes them (no conflict check, all indexes). (16 added
/// onlySummarizing; 19 turned the booleans into flags, none of which
/// applies here, and moved the slot after them.)
inline void insert_index_entries(ResultRelInfo* result, TupleTableSlot* slot, EState* estate) {
#if PG_VERSION_NUM >= 190000
    ExecInsertIndexTuples(result, estate, 0, slot, NIL, nullptr);
#elif PG_VERSION_NUM >= 160000
    ExecInsertIndexTuples(result, slot, estate, false, false, nullptr, NIL, false);
#else
    ExecInsertIndexTuples(result, slot, estate, false, false, nullptr, NIL);
#endif
}

/// Whether the current role owns the relation (or is a member of its
/// owner). (16 replaced pg_class_ownercheck with object_ownercheck.)
inline bool owns_relation(Oid relation) {
#if PG_VERSION_NUM >= 160000
    return object_ownercheck(RelationRelationId, relation, GetUserId());
#else
    return pg_class_ownercheck(relation, GetUserId());
#endif
}

/// A jsonb value under construction with pushJsonbValue. (19 put the stack
/// of open containers into a JsonbInState, which also holds the finished
/// value; before, the stack alone, and pushJsonbValue returned the value.)
struct JsonbBuild {
#if PG_VERSION_NUM >= 190000
    JsonbInState in;
#else
    JsonbParseState* stack;
#endif
};

/// Starts an empty build.
inline void jsonb_build_begin(JsonbBuild* build) { *build = JsonbBuild{}; }

/// Pushes one token (and its value, for keys, values and elements).
inline void jsonb_push(JsonbBuild* build, JsonbIteratorToken token, JsonbValue* value) {
#if PG_VERSION_NUM >= 190000
    pushJsonbValue(&build->in, token, value);
#else
    pushJsonbValue(&build->stack, token, value);
#endif
}

/// Closes the outermost container (WJB_END_OBJECT or WJB_END_ARRAY) and
/// returns the finished value.
inline JsonbValue* jsonb_build_finish(JsonbBuild* build, JsonbIteratorToken end) {
#if PG_VERSION_NUM >= 190000
    pushJsonbValue(&build->in, end, nullptr);
    return build->in.result;
#else
    return pushJsonbValue(&build->stack, end, nullptr);
#endif
}

/// The innermost open container.
inline JsonbValue* jsonb_build_open_container(JsonbBuild* build) {
#if PG_VERSION_NUM >= 190000
    return &build->in.parseState->contVal;
#else
    return &build->stack->contVal;
#endif
}

/// A sequential scan of the whole table. (19 added the scan's options,
/// SO_NONE for a plain one.)
inline TableScanDesc begin_table_scan(Relation table, Snapshot snapshot) {
#if PG_VERSION_NUM >= 190000
    return table_beginscan(table, snapshot, 0, nullptr, SO_NONE);
#else
    return table_beginscan(table, snapshot, 0, nullptr);
#endif
}

/// The type of a syscache's id, as CacheRegisterSyscacheCallback takes it
/// and its callbacks receive it. (19 made it an enum.)
#if PG_VERSION_NUM >= 190000
using SysCacheId = SysCacheIdentifier;
#else
using SysCacheId = int;
#endif

// ---------------------------------------------------------------------------
// WAL capture: logical decoding, slots and replication origins.
// ---------------------------------------------------------------------------

/// A transactional (or not) logical decoding message. (17 added flush.)
inline XLogRecPtr log_logical_message(const char* prefix, const char* data, size_t size, bool transactional) {
#if PG_VERSION_NUM >= 170000
    return LogLogicalMessage(prefix, data, size, transactional, false);
#else
    return LogLogicalMessage(prefix, data, size, transactional);
#endif
}

/// A decoded change's tuple. (17 replaced ReorderBufferTupleBuf by HeapTuple.)
#if PG_VERSION_NUM >= 170000
inline HeapTuple change_tuple(HeapTuple tuple) { return tuple; }
#else
inline HeapTuple change_tuple(ReorderBufferTupleBuf* tuple) { return tuple != nullptr ? &tuple->tuple : nullptr; }
#endif

/// A replication origin's id. (19 renamed RepOriginId to ReplOriginId.)
#if PG_VERSION_NUM >= 190000
using OriginId = ReplOriginId;
constexpr OriginId kInvalidOriginId = InvalidReplOriginId;
#else
using OriginId = RepOriginId;
constexpr OriginId kInvalidOriginId = InvalidRepOriginId;
#endif

/// Makes `origin` this session's origin. (16 added acquired_by.)
inline void origin_session_setup(OriginId origin) {
#if PG_VERSION_NUM >= 160000
    replorigin_session_setup(origin, 0);
#else
    replorigin_session_setup(origin);
#endif
}

/// The origin, position and time the current transaction's commit record
/// carries. (19 moved them into replorigin_xact_state.)
inline void origin_set_for_commit(OriginId origin, XLogRecPtr lsn, TimestampTz at) {
#if PG_VERSION_NUM >= 190000
    replorigin_xact_state.origin = origin;
    replorigin_xact_state.origin_lsn = lsn;
    replorigin_xact_state.origin_timestamp = at;
#else
    replorigin_session_origin = origin;
    replorigin_session_origin_lsn = lsn;
    replorigin_session_origin_timestamp = at;
#endif
}

/// Whether the current transaction's commit will carry an origin.
inline bool origin_set_for_commit_now() {
#if PG_VERSION_NUM >= 190000
    return replorigin_xact_state.origin != kInvalidOriginId;
#else
    return replorigin_session_origin != kInvalidOriginId;
#endif
}

/// Acquires a replication slot for this process. (18 added error_if_invalid.)
inline void slot_acquire(const char* name, bool nowait) {
#if PG_VERSION_NUM >= 180000
    ReplicationSlotAcquire(name, nowait, true);
#else
    ReplicationSlotAcquire(name, nowait);
#endif
}

/// Whether logical slots can be kept on physical standbys for failover
/// (17 added it).
constexpr bool kSlotsCanFailover = PG_VERSION_NUM >= 170000;

/// Errors unless wal_level and max_replication_slots allow logical
/// decoding. (19 added the repack argument.)
inline void check_logical_decoding_requirements() {
#if PG_VERSION_NUM >= 190000
    CheckLogicalDecodingRequirements(false);
#else
    CheckLogicalDecodingRequirements();
#endif
}

/// When a decoded transaction committed. (19 made the union anonymous.)
inline TimestampTz decoded_commit_time(const ReorderBufferTXN* txn) {
#if PG_VERSION_NUM >= 190000
    return txn->commit_time;
#else
    return txn->xact_time.commit_time;
#endif
}

/// Whether a process has the slot acquired (the caller holds its mutex).
/// (19 records the process number instead of the pid.)
inline bool slot_in_use(const ReplicationSlot* slot) {
#if PG_VERSION_NUM >= 190000
    return slot->active_proc != INVALID_PROC_NUMBER;
#else
    return slot->active_pid != 0;
#endif
}

/// Makes a tuple descriptor built entry by entry ready for use. (19 added
/// TupleDescFinalize, which fills its offset cache.)
inline void finalize_tuple_desc(TupleDesc descriptor) {
#if PG_VERSION_NUM >= 190000
    TupleDescFinalize(descriptor);
#else
    (void) descriptor;
#endif
}

}  // namespace eventlog::pg

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

}  // namespace eventlog::pg

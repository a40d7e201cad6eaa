// Every difference between the PostgreSQL majors eventlog supports (15 to
// 18), in one place: the rest of src/pg/ calls these and never tests
// PG_VERSION_NUM itself. PostgreSQL-style code.
#pragma once

#include "pg/postgres.hpp"

#if PG_VERSION_NUM < 150000 || PG_VERSION_NUM >= 190000
#error "eventlog supports PostgreSQL 15, 16, 17 and 18"
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
/// onlySummarizing.)
inline void insert_index_entries(ResultRelInfo* result, TupleTableSlot* slot, EState* estate) {
#if PG_VERSION_NUM >= 160000
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

}  // namespace eventlog::pg

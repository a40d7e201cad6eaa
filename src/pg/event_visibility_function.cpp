// eventlog_readable(object_table regclass) RETURNS boolean: the row security
// rule of the log, and table_named(): which table an event is about.
// PostgreSQL-style code.
#include "pg/event_visibility.hpp"

#include "pg/boundary.hpp"

namespace eventlog::pg {

namespace {

bool is_table_like(char relkind) {
    return relkind == RELKIND_RELATION || relkind == RELKIND_PARTITIONED_TABLE || relkind == RELKIND_VIEW ||
           relkind == RELKIND_MATVIEW || relkind == RELKIND_FOREIGN_TABLE;
}

/// Answers already given in this query, per table: a tool's or an actor's
/// events name few tables, so one privilege check serves thousands of rows.
/// Lives in the function's call-site memory, so it lasts one execution of
/// one query: privileges are read again by the next query.
struct ReadableCache {
    static constexpr int kSlots = 32;
    int used;
    int next;  // the slot replaced next once all are used
    Oid tables[kSlots];
    bool readable[kSlots];
};

bool may_read(Oid table) {
    if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(table))) return false;  // dropped
    return pg_class_aclcheck(table, GetUserId(), ACL_SELECT) == ACLCHECK_OK;
}

Datum readable(FunctionCallInfo fcinfo) {
    if (PG_ARGISNULL(0)) PG_RETURN_BOOL(true);  // about no table
    Oid table = PG_GETARG_OID(0);
    if (!OidIsValid(table)) PG_RETURN_BOOL(false);  // about a table that could not be identified
    auto* cache = static_cast<ReadableCache*>(fcinfo->flinfo->fn_extra);
    if (cache == nullptr) {
        cache = static_cast<ReadableCache*>(MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(ReadableCache)));
        fcinfo->flinfo->fn_extra = cache;
    }
    for (int i = 0; i < cache->used; i++)
        if (cache->tables[i] == table) PG_RETURN_BOOL(cache->readable[i]);
    bool answer = may_read(table);
    int slot;
    if (cache->used < ReadableCache::kSlots) {
        slot = cache->used++;
    } else {
        slot = cache->next;
        cache->next = (cache->next + 1) % ReadableCache::kSlots;
    }
    cache->tables[slot] = table;
    cache->readable[slot] = answer;
    PG_RETURN_BOOL(answer);
}

}  // namespace

Oid table_named(const char* object_type) {
    if (object_type == nullptr || object_type[0] == '\0') return InvalidOid;
    // SplitIdentifierString parses like PostgreSQL's own names (quotes,
    // case folding) and answers false, not an error, on bad syntax.
    char* raw = pstrdup(object_type);
    List* names = NIL;
    Oid table = InvalidOid;
    if (SplitIdentifierString(raw, '.', &names)) {
        if (list_length(names) == 1) {
            table = RelnameGetRelid(static_cast<char*>(linitial(names)));  // the search_path
        } else if (list_length(names) == 2) {
            // No USAGE check on the schema (LookupExplicitNamespace would
            // make it): writing needs no privilege.
            Oid schema = get_namespace_oid(static_cast<char*>(linitial(names)), true);
            if (OidIsValid(schema)) table = get_relname_relid(static_cast<char*>(lsecond(names)), schema);
        }
    }
    list_free(names);
    pfree(raw);
    if (OidIsValid(table) && !is_table_like(get_rel_relkind(table))) table = InvalidOid;
    return table;
}

namespace {

Datum object_table(FunctionCallInfo fcinfo) {
    Oid table = table_named(text_to_cstring(PG_GETARG_TEXT_PP(0)));
    if (!OidIsValid(table)) PG_RETURN_NULL();
    PG_RETURN_OID(table);
}

}  // namespace
}  // namespace eventlog::pg

EVENTLOG_SQL_FUNCTION(eventlog_readable, eventlog::pg::readable)
EVENTLOG_SQL_FUNCTION(eventlog_object_table, eventlog::pg::object_table)

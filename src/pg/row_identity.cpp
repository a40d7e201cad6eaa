#include "pg/row_identity.hpp"

#include "pg/pg_compat.hpp"

namespace eventlog::pg {

char* object_type_name(Oid table) {
    return quote_qualified_identifier(get_namespace_name(get_rel_namespace(table)), get_rel_name(table));
}

namespace {

/// Whether the table's primary key is DEFERRABLE (which makes it no key for
/// eventlog: rows may share it until the end of the transaction).
bool has_deferrable_primary_key(Relation table) {
    List* indexes = RelationGetIndexList(table);
    bool deferrable = false;
    ListCell* cell;
    foreach (cell, indexes) {
        HeapTuple tuple = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(lfirst_oid(cell)));
        if (!HeapTupleIsValid(tuple)) continue;
        auto* index = reinterpret_cast<Form_pg_index>(GETSTRUCT(tuple));
        if (index->indisprimary && !index->indimmediate) deferrable = true;
        ReleaseSysCache(tuple);
    }
    list_free(indexes);
    return deferrable;
}

}  // namespace

Oid require_primary_key(Relation table, const char* caller) {
    Oid index_oid = immediate_primary_key_index(table);
    if (OidIsValid(index_oid)) return index_oid;
    char* name = object_type_name(RelationGetRelid(table));
    if (has_deferrable_primary_key(table))
        ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                        errmsg("%s: the primary key of table %s is DEFERRABLE", caller, name),
                        errhint("eventlog identifies rows by their primary key, which must be unique after every "
                                "statement: drop the constraint and add the primary key again without DEFERRABLE.")));
    ereport(ERROR,
            (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE), errmsg("%s: table %s has no primary key", caller, name),
             errhint("eventlog identifies rows by their primary key: add one with ALTER TABLE ... ADD PRIMARY KEY.")));
    return InvalidOid;
}

void primary_key_load(Relation table, PrimaryKey* key, MemoryContext context, const char* caller) {
    Oid index_oid = require_primary_key(table, caller);

    Relation index = index_open(index_oid, AccessShareLock);
    key->natts = index->rd_index->indnkeyatts;
    TupleDesc descriptor = RelationGetDescr(table);
    for (int i = 0; i < key->natts; i++) {
        key->attnums[i] = index->rd_index->indkey.values[i];
        Oid type = TupleDescAttr(descriptor, key->attnums[i] - 1)->atttypid;
        if (key->natts == 1) {
            bool is_varlena;
            getTypeOutputInfo(type, &key->output_function, &is_varlena);
        } else {
            converter_init(&key->converters[i], type, context);
        }
    }
    index_close(index, AccessShareLock);
}

char* object_id_text(const PrimaryKey* key, const Datum* values, const bool* nulls) {
    if (key->natts == 1) {
        int i = key->attnums[0] - 1;
        return nulls[i] ? nullptr : OidOutputFunctionCall(key->output_function, values[i]);
    }
    StringInfoData out;
    initStringInfo(&out);
    appendStringInfoChar(&out, '[');
    for (int k = 0; k < key->natts; k++) {
        int i = key->attnums[k] - 1;
        Jsonb* element = converter_apply(const_cast<JsonbConverter*>(&key->converters[k]), values[i], nulls[i]);
        if (k > 0) appendStringInfoChar(&out, ',');
        JsonbToCString(&out, &element->root, VARSIZE(element));
    }
    appendStringInfoChar(&out, ']');
    return out.data;
}

}  // namespace eventlog::pg

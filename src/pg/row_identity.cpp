#include "pg/row_identity.hpp"


namespace eventlog::pg {

char* object_type_name(Oid table) {
    return quote_qualified_identifier(get_namespace_name(get_rel_namespace(table)), get_rel_name(table));
}

void primary_key_load(Relation table, PrimaryKey* key, MemoryContext context, const char* caller) {
    Oid index_oid = RelationGetPrimaryKeyIndex(table);
    if (!OidIsValid(index_oid))
        ereport(ERROR,
                (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                 errmsg("%s: table %s has no primary key", caller, object_type_name(RelationGetRelid(table))),
                 errhint("eventlog identifies rows by their primary key: add one with ALTER TABLE ... ADD PRIMARY KEY.")));

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

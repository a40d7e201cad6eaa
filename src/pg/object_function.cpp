// eventlog_object(row anyelement, OUT object_type text, OUT object_id text):
// which object a table row is, for eventlog_log_row and for callers' own use.
// PostgreSQL-style code.
#include "pg/boundary.hpp"
#include "pg/row_identity.hpp"

namespace eventlog::pg {

namespace {

Datum object_of_row(FunctionCallInfo fcinfo) {
    Oid type = get_fn_expr_argtype(fcinfo->flinfo, 0);
    Oid table_oid = OidIsValid(type) ? get_typ_typrelid(type) : InvalidOid;
    char relkind = OidIsValid(table_oid) ? get_rel_relkind(table_oid) : '\0';
    if (relkind != RELKIND_RELATION && relkind != RELKIND_PARTITIONED_TABLE)
        ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                        errmsg("eventlog_object: the argument must be a row of a table, not a value of type %s",
                               OidIsValid(type) ? format_type_be(type) : "unknown")));

    HeapTupleHeader header = PG_GETARG_HEAPTUPLEHEADER(0);
    HeapTupleData row;
    row.t_len = HeapTupleHeaderGetDatumLength(header);
    ItemPointerSetInvalid(&row.t_self);
    row.t_tableOid = table_oid;
    row.t_data = header;

    Relation table = table_open(table_oid, AccessShareLock);
    PrimaryKey key;
    primary_key_load(table, &key, CurrentMemoryContext, "eventlog_object");
    TupleDesc row_descriptor =
        lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(header), HeapTupleHeaderGetTypMod(header));
    Datum* row_values = static_cast<Datum*>(palloc(sizeof(Datum) * row_descriptor->natts));
    bool* row_nulls = static_cast<bool*>(palloc(sizeof(bool) * row_descriptor->natts));
    heap_deform_tuple(&row, row_descriptor, row_values, row_nulls);
    char* object_id = object_id_text(&key, row_values, row_nulls);
    ReleaseTupleDesc(row_descriptor);
    table_close(table, AccessShareLock);

    TupleDesc result_descriptor;
    if (get_call_result_type(fcinfo, nullptr, &result_descriptor) != TYPEFUNC_COMPOSITE)
        elog(ERROR, "eventlog_object: return type must be a row type");
    Datum values[2] = {CStringGetTextDatum(object_type_name(table_oid)),
                       object_id != nullptr ? CStringGetTextDatum(object_id) : (Datum) 0};
    bool nulls[2] = {false, object_id == nullptr};
    PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(result_descriptor), values, nulls)));
}

}  // namespace
}  // namespace eventlog::pg

EVENTLOG_SQL_FUNCTION(eventlog_object, eventlog::pg::object_of_row)

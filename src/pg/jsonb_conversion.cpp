#include "pg/jsonb_conversion.hpp"
#include "pg/diff_output.hpp"

namespace eventlog::pg {

namespace {

JsonbScalarKind scalar_kind(Oid type) {
    switch (type) {
        case INT2OID:
        case INT4OID:
        case INT8OID: return JsonbScalarKind::Integer;
        case BOOLOID: return JsonbScalarKind::Boolean;
        case TEXTOID:
        case VARCHAROID:
        case BPCHAROID: return JsonbScalarKind::Text;
        default: return JsonbScalarKind::ToJsonb;
    }
}

int64 integer_value(Oid type, Datum value) {
    if (type == INT2OID) return DatumGetInt16(value);
    if (type == INT4OID) return DatumGetInt32(value);
    return DatumGetInt64(value);
}

}  // namespace

void converter_init(JsonbConverter* converter, Oid type, MemoryContext context) {
    MemoryContext old = MemoryContextSwitchTo(context);
    fmgr_info_cxt(F_TO_JSONB, &converter->to_jsonb, context);
    converter->to_jsonb.fn_expr =
        reinterpret_cast<Node*>(makeFuncExpr(F_TO_JSONB, JSONBOID, list_make1(makeNullConst(type, -1, InvalidOid)),
                                             InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL));
    converter->type = type;
    converter->kind = scalar_kind(type);
    MemoryContextSwitchTo(old);
}

Jsonb* converter_apply(JsonbConverter* converter, Datum value, bool isnull) {
    if (isnull) return jsonb_null();
    return DatumGetJsonbP(FunctionCall1(&converter->to_jsonb, value));
}

JsonbValue converter_value(JsonbConverter* converter, Datum value, bool isnull) {
    JsonbValue v;
    if (isnull) {
        v.type = jbvNull;
        return v;
    }
    switch (converter->kind) {
        case JsonbScalarKind::Integer:
            // numeric_in of the integer's text, as to_jsonb does, gives this
            // same numeric.
            v.type = jbvNumeric;
            v.val.numeric = int64_to_numeric(integer_value(converter->type, value));
            return v;
        case JsonbScalarKind::Boolean:
            v.type = jbvBool;
            v.val.boolean = DatumGetBool(value);
            return v;
        case JsonbScalarKind::Text: {
            struct varlena* text = pg_detoast_datum_packed(reinterpret_cast<struct varlena*>(DatumGetPointer(value)));
            size_t length = VARSIZE_ANY_EXHDR(text);
            // Longer than a jsonb string may be: to_jsonb() raises its own
            // error for it.
            if (length > JENTRY_OFFLENMASK) break;
            v.type = jbvString;
            v.val.string.val = VARDATA_ANY(text);
            v.val.string.len = static_cast<int>(length);
            return v;
        }
        case JsonbScalarKind::ToJsonb: break;
    }
    return document_value(converter_apply(converter, value, false));
}

bool converter_values_equal(const JsonbConverter* converter, const JsonbValue* a_json, const JsonbValue* b_json) {
    if (a_json->type == jbvBinary && b_json->type == jbvBinary)
        return compareJsonbContainers(a_json->val.binary.data, b_json->val.binary.data) == 0;
    if (a_json->type != b_json->type) return false;
    switch (a_json->type) {
        case jbvNumeric:
            return DatumGetBool(DirectFunctionCall2(numeric_eq, NumericGetDatum(a_json->val.numeric),
                                                    NumericGetDatum(b_json->val.numeric)));
        case jbvBool: return a_json->val.boolean == b_json->val.boolean;
        case jbvString:
            // jsonb compares strings in the database's default collation,
            // which is deterministic: equal means the same bytes.
            return a_json->val.string.len == b_json->val.string.len &&
                   memcmp(a_json->val.string.val, b_json->val.string.val, a_json->val.string.len) == 0;
        default:
            elog(ERROR, "eventlog: unexpected jsonb value type %d for type %u", static_cast<int>(a_json->type),
                 converter->type);
    }
    return false;
}

Jsonb* jsonb_null() {
    JsonbValue null_value;
    null_value.type = jbvNull;
    return JsonbValueToJsonb(&null_value);
}

}  // namespace eventlog::pg

#include "pg/jsonb_conversion.hpp"

namespace eventlog::pg {

void converter_init(JsonbConverter* converter, Oid type, MemoryContext context) {
    MemoryContext old = MemoryContextSwitchTo(context);
    fmgr_info_cxt(F_TO_JSONB, &converter->to_jsonb, context);
    converter->to_jsonb.fn_expr =
        reinterpret_cast<Node*>(makeFuncExpr(F_TO_JSONB, JSONBOID, list_make1(makeNullConst(type, -1, InvalidOid)),
                                             InvalidOid, InvalidOid, COERCE_EXPLICIT_CALL));
    MemoryContextSwitchTo(old);
}

Jsonb* converter_apply(JsonbConverter* converter, Datum value, bool isnull) {
    if (isnull) return jsonb_null();
    return DatumGetJsonbP(FunctionCall1(&converter->to_jsonb, value));
}

Jsonb* jsonb_null() {
    JsonbValue null_value;
    null_value.type = jbvNull;
    return JsonbValueToJsonb(&null_value);
}

}  // namespace eventlog::pg

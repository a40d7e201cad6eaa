// SQL values to jsonb, exactly as SQL's to_jsonb() does it.
// PostgreSQL-style code (no C++ objects).
#pragma once

#include "pg/postgres.hpp"

namespace eventlog::pg {

/// How a converter turns a value into jsonb.
enum class JsonbScalarKind : uint8 {
    ToJsonb,  // any type: the SQL function to_jsonb()
    Integer,  // int2, int4, int8: a number
    Boolean,  // bool: true or false
    Text,     // text, varchar, bpchar: a string of the value's bytes
};

/// to_jsonb() prepared for one type. PostgreSQL 15 exports no C entry point
/// for it, so we call the SQL function with a call expression that tells it
/// the argument's type. The commonest built-in types are converted here
/// instead, to the same jsonb scalar to_jsonb() gives (no output function,
/// no numeric_in, no document per value): they are most of what tracked
/// rows hold.
struct JsonbConverter {
    FmgrInfo to_jsonb;
    Oid type;
    JsonbScalarKind kind;
};

/// Prepares `converter` for values of `type`; memory comes from `context`,
/// which must live as long as the converter.
void converter_init(JsonbConverter* converter, Oid type, MemoryContext context);

/// to_jsonb(value); JSON null for SQL NULL.
Jsonb* converter_apply(JsonbConverter* converter, Datum value, bool isnull);

/// to_jsonb(value) as a JsonbValue to push into a document under
/// construction: a scalar for NULL and the converter's own kinds, otherwise
/// the to_jsonb() document (jbvBinary).
JsonbValue converter_value(JsonbConverter* converter, Datum value, bool isnull);

/// Are two values of the converter's type, neither NULL, equal as jsonb
/// (to_jsonb(a) = to_jsonb(b))? `a_json`/`b_json` hold their jsonb forms
/// from converter_value.
bool converter_values_equal(const JsonbConverter* converter, const JsonbValue* a_json, const JsonbValue* b_json);

/// The jsonb null value.
Jsonb* jsonb_null();

}  // namespace eventlog::pg

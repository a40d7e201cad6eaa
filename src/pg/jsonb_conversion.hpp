// SQL values to jsonb, exactly as SQL's to_jsonb() does it.
// PostgreSQL-style code (no C++ objects).
#pragma once

#include "pg/postgres.hpp"

namespace eventlog::pg {

/// to_jsonb() prepared for one type. PostgreSQL 15 exports no C entry point
/// for it, so we call the SQL function with a call expression that tells it
/// the argument's type.
struct JsonbConverter {
    FmgrInfo to_jsonb;
};

/// Prepares `converter` for values of `type`; memory comes from `context`,
/// which must live as long as the converter.
void converter_init(JsonbConverter* converter, Oid type, MemoryContext context);

/// to_jsonb(value); JSON null for SQL NULL.
Jsonb* converter_apply(JsonbConverter* converter, Datum value, bool isnull);

/// The jsonb null value.
Jsonb* jsonb_null();

}  // namespace eventlog::pg

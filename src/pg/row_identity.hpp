// Which object a table row is: object_type (the schema-qualified table name
// as PostgreSQL quotes it) and object_id (the primary key as text; composite
// keys as a JSON array text such as [1,"a"]). PostgreSQL-style code.
#pragma once

#include "pg/jsonb_conversion.hpp"
#include "pg/postgres.hpp"

namespace eventlog::pg {

/// public.certificate, public."Odd Name"
char* object_type_name(Oid table);

/// A table's primary key, ready to print keys of its rows.
struct PrimaryKey {
    int natts;
    AttrNumber attnums[INDEX_MAX_KEYS];
    Oid output_function;                        // single-column keys: the type's output
    JsonbConverter converters[INDEX_MAX_KEYS];  // composite keys: to_jsonb per column
};

/// The table's primary key index. A table without one, or whose key is
/// DEFERRABLE, is refused (SQLSTATE 55000) with `caller` in the message.
Oid require_primary_key(Relation table, const char* caller);

/// Loads `table`'s primary key into `key` (memory from `context`), refused
/// as require_primary_key says.
void primary_key_load(Relation table, PrimaryKey* key, MemoryContext context, const char* caller);

/// The object_id of a row given as deformed values (index: attnum - 1).
char* object_id_text(const PrimaryKey* key, const Datum* values, const bool* nulls);

}  // namespace eventlog::pg

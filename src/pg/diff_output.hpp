// Building {"old_value": {...}, "new_value": {...}}: the shape of every
// diff, from jsonb_diff_schema and from the capture triggers alike.
// PostgreSQL-style code (no C++ objects).
#pragma once

#include "pg/pg_compat.hpp"
#include "pg/postgres.hpp"

namespace eventlog::pg {

/// The two objects under construction.
struct DiffOutput {
    JsonbBuild old_state;
    JsonbBuild new_state;
    bool changed;
};

/// Starts both objects empty.
void output_begin(DiffOutput* out);

/// Adds key: value to one of the objects.
void push_pair(JsonbBuild* state, JsonbValue* key, JsonbValue* value);

/// Records `key` as changed on both sides; a NULL side shows JSON null.
void output_change(DiffOutput* out, JsonbValue* key, JsonbValue* old_value, JsonbValue* new_value);

/// Deep mode: opens `key`: {...} on both sides, so that a nested diff is
/// written straight into the same objects (no copy per level), and returns
/// whether anything had changed before it.
bool output_open_nested(DiffOutput* out, JsonbValue* key);

/// Closes what output_open_nested opened; when nothing changed inside, the
/// key is taken back out of both sides.
void output_close_nested(DiffOutput* out, bool changed_before);

/// Finishes both objects (consumes `out`) and returns
/// {"new_value": ..., "old_value": ...}.
Jsonb* output_finish(DiffOutput* out);

/// Finishes one object and returns it as a jsonb document.
Jsonb* finish_object(JsonbBuild* state);

/// A jbvString JsonbValue over `s` (not copied).
JsonbValue string_value(const char* s, int length);

/// A jbvBinary JsonbValue over a whole document (raw scalars included).
JsonbValue document_value(Jsonb* document);

}  // namespace eventlog::pg

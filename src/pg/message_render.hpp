// Rendering message templates against jsonb values, for SQL callers.
#pragma once

#include "pg/postgres.hpp"

namespace eventlog::pg {

/// Renders `template_message` against `values_json` (nullptr: no values).
/// Returns text palloc'd in the current memory context. Errors: 22023 for a
/// bad template, a missing key or attribute, or non-object values_json.
text* render_message(text* template_message, Jsonb* values_json);

}  // namespace eventlog::pg

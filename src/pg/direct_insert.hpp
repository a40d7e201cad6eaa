// When the extension may write rows into one of its tables directly (as
// COPY does, skipping planner and executor) instead of through an INSERT:
// only while the table is exactly what the extension created, so that an
// INSERT would enforce nothing more.
// PostgreSQL-style code (no C++ objects).
#pragma once

#include "pg/postgres.hpp"

namespace eventlog::pg {

/// One column as the extension creates it.
struct ColumnShape {
    const char* name;
    Oid type;
    bool not_null;
};

/// True when `table` is a plain table with exactly these columns (names,
/// types, NOT NULLs; none dropped or generated), no CHECK constraint, no
/// insert trigger, no rule, and no row security forced on its owner.
bool inserts_like_copy(Relation table, const ColumnShape* shape, int columns);

}  // namespace eventlog::pg

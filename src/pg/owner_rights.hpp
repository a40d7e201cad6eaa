// Running SQL with a table owner's rights, the way the extension writes and
// purges the log without the caller holding any privilege on it.
// PostgreSQL-style code (no C++ objects).
#pragma once

#include "pg/postgres.hpp"

namespace eventlog::pg {

/// The user and security context to go back to.
struct SavedUser {
    Oid user;
    int context;
};

/// The owner of a relation.
Oid table_owner(Oid table);

/// Becomes the owner of `table` (a security-restricted operation, like
/// maintenance commands run as a table's owner) and returns what to restore.
/// A transaction or subtransaction abort restores the previous user on its
/// own, so an error needs no cleanup.
SavedUser become_table_owner(Oid table);

void restore_user(const SavedUser& saved);

}  // namespace eventlog::pg

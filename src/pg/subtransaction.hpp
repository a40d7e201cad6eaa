// Running a piece of work in a subtransaction of its own, so that a
// PostgreSQL error in it rolls back only it and the caller carries on: how
// WAL capture keeps one change that cannot become an event (or one write
// the log refuses) from stopping everything behind it.
#pragma once

#include <exception>

#include "pg/boundary.hpp"
#include "pg/postgres.hpp"

namespace eventlog::pg {

/// Runs `body` in an internal subtransaction and returns true when it
/// completed. When it raised an error (a PostgreSQL error, or a C++
/// exception from rich code), the subtransaction is rolled back, the memory
/// context and resource owner are the caller's again, and
/// `on_error(sqlstate, message)` runs (message palloc'd in `message_memory`).
/// `body` itself holds no C++ object and returns nothing.
template <class Body, class OnError>
bool in_subtransaction(MemoryContext message_memory, Body&& body, OnError&& on_error) {
    MemoryContext caller = CurrentMemoryContext;
    ResourceOwner owner = CurrentResourceOwner;
    pg_call([] { BeginInternalSubTransaction(nullptr); });
    int sqlstate = ERRCODE_INTERNAL_ERROR;
    char* message = nullptr;
    try {
        pg_call([&] {
            MemoryContextSwitchTo(caller);
            body();
            ReleaseCurrentSubTransaction();
            MemoryContextSwitchTo(caller);
            CurrentResourceOwner = owner;
        });
        return true;
    } catch (const PgError& e) {
        // (the error's data lives in the subtransaction's memory: copied
        // out before the rollback)
        sqlstate = e.data()->sqlerrcode;
        const char* text = e.data()->message != nullptr ? e.data()->message : "error";
        message = pg_call([&] { return MemoryContextStrdup(message_memory, text); });
    } catch (const std::exception& e) {
        const char* text = e.what();
        message = pg_call([&] { return MemoryContextStrdup(message_memory, text); });
    }
    pg_call([&] {
        RollbackAndReleaseCurrentSubTransaction();
        MemoryContextSwitchTo(caller);
        CurrentResourceOwner = owner;
    });
    on_error(sqlstate, message);
    return false;
}

}  // namespace eventlog::pg

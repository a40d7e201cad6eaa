// The C/C++ boundary. Two tools, used everywhere:
//
//  * guarded(body): wraps every extern "C" entry point PostgreSQL calls.
//    A C++ exception never escapes into PostgreSQL: it is recorded as plain
//    data in a catch block, and raised with ereport(ERROR) only after the
//    try/catch has ended, when no C++ object is alive. A PostgreSQL error
//    carried as PgError is re-raised unchanged (SQLSTATE, detail, hint).
//
//  * pg_call(fn): every call into PostgreSQL from C++ code that holds C++
//    objects (std::string, std::vector, ...) goes through it. It runs `fn`
//    under PG_TRY, so a PostgreSQL error becomes a PgError exception instead
//    of a longjmp over live C++ objects. `fn` itself must hold no object with
//    a destructor, and must return a scalar (pointer, number, bool).
//
// Code that holds no C++ object with a destructor ("PostgreSQL-style" code:
// palloc'd memory, plain structs and pointers) may call PostgreSQL directly:
// a longjmp through it skips nothing. See CONTRIBUTING.md.
#pragma once

#include <cstring>
#include <exception>
#include <new>
#include <type_traits>
#include <utility>

#include "core/error.hpp"
#include "pg/postgres.hpp"

namespace eventlog::pg {

/// A PostgreSQL error caught by pg_call, carried up to the entry guard.
class PgError : public std::exception {
public:
    explicit PgError(ErrorData* data) noexcept : data_(data) {}
    ErrorData* data() const noexcept { return data_; }
    const char* what() const noexcept override {
        return data_ != nullptr && data_->message != nullptr ? data_->message : "PostgreSQL error";
    }

private:
    ErrorData* data_;
};

/// Where pg_call keeps a copied error until the guard re-raises it: memory
/// that outlives any scratch context the C++ code may delete while unwinding.
MemoryContext error_copy_context();

template <class Fn>
auto pg_call(Fn&& fn) -> std::invoke_result_t<Fn&> {
    using Result = std::invoke_result_t<Fn&>;
    static_assert(std::is_void_v<Result> || std::is_scalar_v<Result>,
                  "pg_call returns plain values only (pointers, numbers, bool)");
    using Slot = std::conditional_t<std::is_void_v<Result>, char, Result>;

    MemoryContext caller_context = CurrentMemoryContext;
    ErrorData* volatile pg_error = nullptr;
    std::exception_ptr cpp_error;
    volatile Slot result{};

    PG_TRY();
    {
        try {
            if constexpr (std::is_void_v<Result>) {
                fn();
            } else {
                result = fn();
            }
        } catch (...) {
            cpp_error = std::current_exception();
        }
    }
    PG_CATCH();
    {
        MemoryContextSwitchTo(error_copy_context());
        pg_error = CopyErrorData();
        FlushErrorState();
        MemoryContextSwitchTo(caller_context);
    }
    PG_END_TRY();

    if (pg_error != nullptr) throw PgError(pg_error);
    if (cpp_error) std::rethrow_exception(cpp_error);
    if constexpr (!std::is_void_v<Result>) return result;
}

namespace detail {

/// A C++ failure recorded as plain data, raised after the catch block ends.
/// message and hint are written by record() (always terminated) before they
/// are read, and left uninitialized until then: guarded() makes one on every
/// call of every entry point (eventlog_readable runs once per event a query
/// reads), and zeroing 2 kB each time was a measurable share of the row
/// security rule's cost.
struct PendingError {
    ErrorData* pg_error = nullptr;
    int sqlstate = 0;
    char message[1024];
    char hint[1024];
};

void record(PendingError& pending, int sqlstate, const char* message, const char* hint);
int sqlstate_for(ErrorCode code);
[[noreturn]] void raise(const PendingError& pending);

}  // namespace detail

/// Runs the body of an extern "C" entry point. See the top of this file.
template <class Body>
auto guarded(Body&& body) -> std::invoke_result_t<Body&> {
    detail::PendingError pending;
    try {
        return body();
    } catch (const PgError& e) {
        pending.pg_error = e.data();
    } catch (const Error& e) {
        detail::record(pending, detail::sqlstate_for(e.code()), e.what(), e.hint().c_str());
    } catch (const std::bad_alloc&) {
        detail::record(pending, ERRCODE_OUT_OF_MEMORY, "out of memory", "");
    } catch (const std::exception& e) {
        detail::record(pending, ERRCODE_INTERNAL_ERROR, e.what(), "");
    } catch (...) {
        detail::record(pending, ERRCODE_INTERNAL_ERROR, "unknown C++ exception", "");
    }
    detail::raise(pending);
}

/// Runs the body of a callback PostgreSQL calls on its own schedule (cache
/// invalidation, end of transaction). A callback never raises an error: at
/// abort time an ERROR would escalate. A C++ exception is caught and, once
/// the catch block has ended, reported as a WARNING; PostgreSQL calls inside
/// the body must be ones that cannot fail.
template <class Body>
void guarded_callback(Body&& body) noexcept {
    detail::PendingError pending;
    bool failed = false;
    try {
        body();
    } catch (const std::exception& e) {
        detail::record(pending, ERRCODE_INTERNAL_ERROR, e.what(), "");
        failed = true;
    } catch (...) {
        detail::record(pending, ERRCODE_INTERNAL_ERROR, "unknown C++ exception", "");
        failed = true;
    }
    if (failed) elog(WARNING, "eventlog: callback failed: %s", pending.message);
}

}  // namespace eventlog::pg

/// Defines the SQL-callable C function `sql_symbol` (the name the install
/// script's AS 'MODULE_PATHNAME', 'sql_symbol' gives) as `body(fcinfo)` run
/// under guarded(): every entry point is guarded by construction. `body` is
/// a function `Datum body(FunctionCallInfo)`, in the same file.
#define EVENTLOG_SQL_FUNCTION(sql_symbol, body)                                  \
    extern "C" {                                                                 \
    PG_FUNCTION_INFO_V1(sql_symbol);                                             \
    Datum sql_symbol(PG_FUNCTION_ARGS) {                                         \
        return ::eventlog::pg::guarded([&]() -> Datum { return body(fcinfo); }); \
    }                                                                            \
    }

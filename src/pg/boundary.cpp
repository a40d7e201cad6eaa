#include "core/utf8.hpp"

#include "pg/boundary.hpp"

namespace eventlog::pg {

MemoryContext error_copy_context() {
    // The transaction's context lives until the error we re-raise aborts it;
    // outside a transaction (module load) only TopMemoryContext is safe.
    return CurTransactionContext != nullptr ? CurTransactionContext : TopMemoryContext;
}

namespace detail {

namespace {

/// Copies `text` into `out` (of `size` bytes), cut short on a character
/// boundary when it does not fit.
void copy_cut(char* out, std::size_t size, const char* text) {
    std::size_t n = utf8_prefix_length(text, size - 1);
    std::memcpy(out, text, n);
    out[n] = '\0';
}

}  // namespace

void record(PendingError& pending, int sqlstate, const char* message, const char* hint) {
    pending.sqlstate = sqlstate;
    copy_cut(pending.message, sizeof(pending.message), message);
    copy_cut(pending.hint, sizeof(pending.hint), hint);
}

int sqlstate_for(ErrorCode code) {
    switch (code) {
        case ErrorCode::InvalidParameterValue: return ERRCODE_INVALID_PARAMETER_VALUE;
        case ErrorCode::ObjectNotInPrerequisiteState: return ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE;
        case ErrorCode::Internal: break;
    }
    return ERRCODE_INTERNAL_ERROR;
}

void raise(const PendingError& pending) {
    if (pending.pg_error != nullptr) ReThrowError(pending.pg_error);
    ereport(ERROR, (errcode(pending.sqlstate), errmsg_internal("%s", pending.message),
                    pending.hint[0] != '\0' ? errhint("%s", pending.hint) : 0));
    pg_unreachable();
}

}  // namespace detail
}  // namespace eventlog::pg

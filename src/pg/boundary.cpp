#include "pg/boundary.hpp"

namespace eventlog::pg {

MemoryContext error_copy_context() {
    // The transaction's context lives until the error we re-raise aborts it;
    // outside a transaction (module load) only TopMemoryContext is safe.
    return CurTransactionContext != nullptr ? CurTransactionContext : TopMemoryContext;
}

namespace detail {

void record(PendingError& pending, int sqlstate, const char* message, const char* hint) {
    pending.sqlstate = sqlstate;
    std::strncpy(pending.message, message, sizeof(pending.message) - 1);
    std::strncpy(pending.hint, hint, sizeof(pending.hint) - 1);
}

int sqlstate_for(ErrorCode code) {
    switch (code) {
        case ErrorCode::InvalidParameterValue: return ERRCODE_INVALID_PARAMETER_VALUE;
        case ErrorCode::ProgramLimitExceeded: return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
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

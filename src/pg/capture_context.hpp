// What WAL capture cannot learn from the WAL: who made a change (actor,
// actor_id, the database role), the context, the statement's clock time and
// the transaction's full id. The capture trigger of a WAL-tracked table
// sends it before each statement as a transactional logical decoding
// message (prefix "eventlog"), which the decoder receives in order with the
// transaction's changes and applies to the changes that follow it.
// PostgreSQL-style code (no C++ objects).
#pragma once

#include "pg/postgres.hpp"

namespace eventlog::pg {

/// The prefix of eventlog's logical decoding messages.
constexpr const char* kCaptureMessagePrefix = "eventlog";

struct CaptureContext {
    TimestampTz timestamp;             // the statement's clock time
    FullTransactionId transaction_id;  // the top-level transaction
    const char* actor;                 // NULL: none
    const char* actor_id;              // NULL: none
    const char* db_user;
    Jsonb* context;  // NULL: none
};

/// The context of a statement running now (settings, role, clock).
void current_capture_context(CaptureContext* out);

/// Writes the message for `context` into the WAL (transactional).
void emit_capture_context(const CaptureContext* context);

/// Decodes a message's payload into `out` (memory in the current context);
/// false when it is not one this version wrote.
bool decode_capture_context(const char* data, Size size, CaptureContext* out);

}  // namespace eventlog::pg

// What WAL capture's decoder (the output plugin) hands to the applier: a
// stream of binary records, in commit order, each transaction's events in
// statement order followed by its end:
//   event    one event, every field as it goes into the log
//   failure  a change that could not become an event (what and why)
//   end      a decoded transaction's end: its commit's LSN and time
// Both sides are in the same server (the applier decodes in-process), so
// values travel in their in-memory forms (jsonb stays jsonb).
// PostgreSQL-style code (no C++ objects).
#pragma once

#include "pg/event_writer.hpp"
#include "pg/postgres.hpp"

namespace eventlog::pg {

enum class CapturedKind : char { Event = 'E', Failure = 'X', End = 'T' };

struct CapturedEvent {
    EventCommon common;
    const char* object_id;  // NULL: none
    text* message;
    Jsonb* changes;  // NULL: none
};

struct CapturedFailure {
    Oid table;
    const char* object_type;
    const char* action;
    XLogRecPtr lsn;
    FullTransactionId transaction_id;
    const char* sqlstate;
    const char* error;
};

struct CapturedEnd {
    XLogRecPtr end_lsn;  // the end of the transaction's commit record
    TimestampTz commit_time;
};

void put_captured_event(StringInfo out, const CapturedEvent* event);
void put_captured_failure(StringInfo out, const CapturedFailure* failure);
void put_captured_end(StringInfo out, const CapturedEnd* end);

/// The kind of a record (its first byte); 0 for an empty one.
char captured_kind(const char* data, Size size);

/// Each reads one record of its kind (memory in the current context);
/// false when the record is malformed.
bool get_captured_event(const char* data, Size size, CapturedEvent* out);
bool get_captured_failure(const char* data, Size size, CapturedFailure* out);
bool get_captured_end(const char* data, Size size, CapturedEnd* out);

}  // namespace eventlog::pg

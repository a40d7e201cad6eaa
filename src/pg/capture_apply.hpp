// Applying what WAL capture decodes. The decoder's records (capture_
// records.hpp) are collected in a CaptureBuffer while the slot's WAL is
// decoded in this process, then written into the log in a transaction of
// the applier's: the events through the log's batch writer (counts,
// visibility and partitions as trigger capture writes them), a change that
// cannot become an event into eventlog_capture_errors, and the position of
// the last decoded commit into the transaction's commit record through the
// capture's replication origin. Events and position commit together: that
// is what makes capture exactly once; the slot is advanced only to
// positions already committed.
// PostgreSQL-style code (no C++ objects), but for the error isolation of
// capture_apply_buffer.
#pragma once

#include "pg/pg_compat.hpp"
#include "pg/postgres.hpp"

namespace eventlog::pg {

struct CaptureBuffer;

/// What one application of a buffer did.
struct CaptureProgress {
    XLogRecPtr end_lsn;  // the end of the last decoded commit (invalid: none)
    TimestampTz commit_time;
    int64 events;    // events written
    int64 failures;  // changes recorded in eventlog_capture_errors
};

/// A buffer in `memory` (records spill to disk past work_mem).
CaptureBuffer* capture_buffer_create(MemoryContext memory);

/// Decoded transactions (end records) and events held.
int64 capture_buffer_transactions(const CaptureBuffer* buffer);
int64 capture_buffer_events(const CaptureBuffer* buffer);

/// When the oldest record held was added (0: empty).
TimestampTz capture_buffer_since(const CaptureBuffer* buffer);

/// Frees the buffer's records (and temporary files).
void capture_buffer_free(CaptureBuffer* buffer);

/// Starts logical decoding of the slot this process has acquired, from
/// `start` (or the slot's confirmed position when later), into `buffer`;
/// WAL read through `routine` from the slot's restart position. Changes
/// written by transactions of `skip_origin` (the worker's own, which set
/// their origin before writing) are skipped unread (kInvalidOriginId:
/// none).
LogicalDecodingContext* capture_decoding_start(XLogRecPtr start, const XLogReaderRoutine* routine,
                                               CaptureBuffer* buffer, OriginId skip_origin);

/// Writes what the buffer holds in the current transaction (see above) and
/// empties it. `origin` must be this session's origin; the commit of the
/// transaction carries it with the position of the last decoded commit.
void capture_apply_buffer(Oid extension_namespace, OriginId origin, CaptureBuffer* buffer, CaptureProgress* out);

/// The schema of the extension in the current database (InvalidOid when
/// it is not installed).
Oid eventlog_schema();

}  // namespace eventlog::pg

// The background workers of WAL capture, with the library in
// shared_preload_libraries: a launcher that starts one applying worker per
// database that has a capture slot, and the workers, which decode their
// database's slot continuously and apply what commits (capture_apply.hpp).
// Their state is in shared memory, for eventlog_capture_status and
// eventlog_capture_wait. Without the preload none of it exists: the
// functions below answer "no worker".
// PostgreSQL-style code (no C++ objects).
#pragma once

#include "pg/postgres.hpp"

namespace eventlog::pg {

/// eventlog.capture_worker: whether the launcher starts workers.
extern bool capture_worker_enabled;

/// eventlog.capture_max_lag (kB; 0: no bound): how much WAL the database's
/// worker may have left to read before writers of WAL-tracked tables wait.
extern int capture_max_lag_kb;

/// With eventlog.capture_max_lag set and the database's worker running but
/// further behind than that: waits (wait event Extension, interruptible)
/// until it has caught up to within the bound, for at most 10 seconds.
/// Called once per statement by the capture context trigger.
void capture_wait_for_worker(Oid database);

/// Shared memory, the launcher and the DROP DATABASE hook; from _PG_init
/// while shared_preload_libraries loads the library (else nothing).
void capture_workers_init();

/// The pid of the database's running worker, 0 when none.
int capture_worker_pid(Oid database);

/// What the database's worker has done: the WAL position before which
/// every commit is applied (InvalidXLogRecPtr: none yet), and the events
/// it wrote since it started.
XLogRecPtr capture_worker_scanned(Oid database);
int64 capture_worker_events(Oid database);

/// The worker's last error (false: none).
bool capture_worker_error(Oid database, char* out, Size size, TimestampTz* at);

/// Stops the database's worker, keeps the launcher from starting another
/// for a while, and waits (up to 10 seconds) until it has exited.
void capture_worker_stop(Oid database);

/// Lets the launcher start the database's worker again at once (a table
/// WAL-tracked again after the last one was untracked).
void capture_worker_allow(Oid database);

}  // namespace eventlog::pg

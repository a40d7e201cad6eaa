"""The database driver: psycopg 3 or psycopg2, whichever Django uses (Django
picks psycopg 3 from 4.2 on when it is installed, psycopg2 otherwise; 3.2
knows only psycopg2). Only what the adapter needs from either."""

# libpq's PQTransactionStatus: PQTRANS_INERROR (a failed transaction, waiting
# for ROLLBACK). psycopg2's TRANSACTION_STATUS_INERROR and psycopg 3's
# pq.TransactionStatus.INERROR are this number.
_PQTRANS_INERROR = 3


def sqlstate(error):
    """The SQLSTATE of a database error (Django's wrapper or the driver's own):
    psycopg2 names it `pgcode`, psycopg 3 `sqlstate`."""
    for candidate in (getattr(error, "__cause__", None), error):
        if candidate is None:
            continue
        code = getattr(candidate, "pgcode", None) or getattr(candidate, "sqlstate", None)
        if code:
            return code
    return None


def message(error):
    """The server's error message (the driver's text, without Django's wrapper)."""
    return str(getattr(error, "__cause__", None) or error).strip()


def primary_message(error):
    """The server's primary message alone (no DETAIL, HINT or CONTEXT lines)."""
    cause = getattr(error, "__cause__", None) or error
    diag = getattr(cause, "diag", None)
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    return primary or (message(error).splitlines() or [""])[0]


def transaction_failed(raw_connection):
    """True when the DB-API connection's transaction has failed (only ROLLBACK
    may run on it)."""
    return int(raw_connection.info.transaction_status) == _PQTRANS_INERROR

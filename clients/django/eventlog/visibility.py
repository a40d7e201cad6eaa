"""Which events a Django user may see in the admin, and exact counts of them.

The rule: an event about a table (its `object_table`: tracked changes, and
events logged for a model instance) is shown only to users with the view
(or change) permission on a model of that table; events about no table
(a string object type, none at all) to every user who may open the log.
Superusers see every event. Events about tables Django has no model for
are shown to superusers only.

It is the extension's own rule for database roles, `object_table` against
the tables a role may SELECT, carried over to Django's permissions, so that
counts can come from the extension's counts tables (`eventlog_counts` and
`eventlog_count_deltas`, which carry `object_table` too) instead of counting
events.
"""
from django.contrib.auth import get_permission_codename
from django.db import connections
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from .object_types import table_oids

# The counted columns of eventlog_counts (its `filter` values).
COUNTED = ("tool", "actor", "actor_id", "action", "object_type")


def may_view_model(user, model):
    opts = model._meta
    return any(user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}") for action in ("view", "change"))


def viewable_tables(user, using):
    """None when the user sees every event (an active superuser); otherwise the
    sorted oids of the tables whose events the user may see."""
    if user.is_active and user.is_superuser:
        return None
    if not user.is_active:
        return []
    return sorted({oid for model, oid in table_oids(using).items() if may_view_model(user, model)})


def _table_condition(alias, oids):
    """SQL (and its parameters) keeping the rows of the visible tables."""
    if oids is None:
        return "true", []
    return f"({alias}object_table IS NULL OR {alias}object_table::oid::bigint = ANY(%s::bigint[]))", [list(oids)]


def restrict(queryset, oids):
    """The events of `queryset` that someone who sees the tables `oids` may see."""
    if oids is None:
        return queryset
    sql, params = _table_condition('"eventlog".', oids)
    return queryset.filter(RawSQL(sql, params, output_field=BooleanField()))


def counted(using, oids, column=None, value=None):
    """The exact number of visible events, with no filter or with `column` (one
    of COUNTED) equal to `value`, summed from the extension's counts tables;
    None when they do not stand for the log for this database role
    (eventlog_counts_stand_for_log()): count the events then."""
    if column is not None and column not in COUNTED:
        raise ValueError(column)
    counts_condition, counts_params = _table_condition("c.", oids)
    deltas_condition, deltas_params = _table_condition("d.", oids)
    counts_filter, deltas_filter, value_params = "", "", []
    if column is not None:
        counts_filter, deltas_filter, value_params = " AND c.value = %s", f" AND d.{column} = %s", [value]
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN eventlog_counts_stand_for_log() THEN"
            " COALESCE((SELECT sum(c.events) FROM eventlog_counts c WHERE c.filter = %s"
            + counts_filter + " AND " + counts_condition + "), 0)"
            " + COALESCE((SELECT sum(d.events) FROM eventlog_count_deltas d WHERE true"
            + deltas_filter + " AND " + deltas_condition + "), 0) END",
            [column or "object_type", *value_params, *counts_params, *value_params, *deltas_params],
        )
        total = cursor.fetchone()[0]
    return None if total is None else int(total)


def counted_values(using, oids, column, limit=100):
    """The values of `column` (one of COUNTED) that visible events have, the
    `limit` most frequent, from the counts tables (else from the log)."""
    if column not in COUNTED:
        raise ValueError(column)
    counts_condition, counts_params = _table_condition("c.", oids)
    deltas_condition, deltas_params = _table_condition("d.", oids)
    log_condition, log_params = _table_condition("e.", oids)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT eventlog_counts_stand_for_log()")
        if cursor.fetchone()[0]:
            cursor.execute(
                "SELECT v.value FROM ("
                " SELECT c.value, c.events FROM eventlog_counts c WHERE c.filter = %s AND " + counts_condition
                + " UNION ALL SELECT d." + column + ", d.events FROM eventlog_count_deltas d WHERE " + deltas_condition
                + ") AS v(value, events) WHERE v.value IS NOT NULL"
                " GROUP BY v.value HAVING sum(v.events) > 0 ORDER BY sum(v.events) DESC, v.value LIMIT %s",
                [column, *counts_params, *deltas_params, limit],
            )
        else:
            cursor.execute(
                "SELECT DISTINCT e." + column + " FROM eventlog e WHERE e." + column + " IS NOT NULL AND "
                + log_condition + " ORDER BY 1 LIMIT %s",
                [*log_params, limit],
            )
        return sorted(value for (value,) in cursor.fetchall())

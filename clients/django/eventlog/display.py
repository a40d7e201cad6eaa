"""Events as the admin shows them: the diff as an old-to-new table, the
values as text."""
import json

from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst

_ABSENT = object()


def _value_html(value):
    if value is _ABSENT:
        return format_html('<span class="eventlog-absent">{}</span>', "")
    if value is None:
        return format_html('<span class="eventlog-null">{}</span>', "null")
    if isinstance(value, str):
        return format_html("{}", value)
    if isinstance(value, bool):
        return format_html("<code>{}</code>", "true" if value else "false")
    if isinstance(value, (int, float)):
        return format_html("{}", value)
    return format_html("<code>{}</code>", json.dumps(value, ensure_ascii=False, sort_keys=True))


def _labels(model):
    """{column: label} and the columns in the model's field order."""
    if model is None:
        return {}, []
    labels, order = {}, []
    for field in model._meta.concrete_fields:
        labels[field.column] = capfirst(field.verbose_name)
        order.append(field.column)
    return labels, order


def changes_rows(changes, model=None):
    """[(column, label, old, new)] of an event's `changes` ({"old_value": {...},
    "new_value": {...}}), in the model's field order (else by name); a side
    that lacks the column (a create's old side, a delete's new side) is
    _ABSENT, distinct from a JSON null."""
    if not isinstance(changes, dict):
        return []
    old = changes.get("old_value") if isinstance(changes.get("old_value"), dict) else {}
    new = changes.get("new_value") if isinstance(changes.get("new_value"), dict) else {}
    labels, order = _labels(model)
    columns = set(old) | set(new)
    ordered = [c for c in order if c in columns] + sorted(columns - set(order))
    return [(c, labels.get(c, c), old.get(c, _ABSENT), new.get(c, _ABSENT)) for c in ordered]


def _cell_class(side, value):
    return side + " eventlog-empty" if value is _ABSENT else side


def changes_table(changes, model=None):
    """The diff as an HTML table: one row per changed column, old value, new value."""
    if changes is None:
        return format_html('<span class="eventlog-nochanges">{}</span>', "no changes recorded")
    rows = changes_rows(changes, model)
    if not rows:
        if isinstance(changes, dict) and set(changes) <= {"old_value", "new_value"}:
            return format_html('<span class="eventlog-nochanges">{}</span>', "no changed columns")
        return _value_html(changes)  # not a diff: shown as JSON
    body = format_html_join(
        "", '<tr><th scope="row" title="{}">{}</th><td class="{}">{}</td><td class="{}">{}</td></tr>',
        ((column, label, _cell_class("eventlog-old", old), _value_html(old), _cell_class("eventlog-new", new), _value_html(new))
         for column, label, old, new in rows))
    return format_html(
        '<table class="eventlog-changes"><thead><tr><th scope="col">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
        "Field", "Old value", "New value", body)


def json_text(value):
    if value is None:
        return format_html('<span class="eventlog-null">{}</span>', "-")
    return format_html("<pre class=\"eventlog-json\">{}</pre>", json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True))


# The admin pages' own styles (the history page, the event's page, the list).
STYLE = """
table.eventlog-changes { border: 1px solid var(--hairline-color, #eee); margin: 0; min-width: 24em; }
table.eventlog-changes th, table.eventlog-changes td { padding: 4px 8px; vertical-align: top; }
table.eventlog-changes thead th { font-size: 11px; text-transform: uppercase; }
table.eventlog-changes td.eventlog-old { background: rgba(220, 50, 50, .10); }
table.eventlog-changes td.eventlog-new { background: rgba(40, 160, 60, .12); }
table.eventlog-changes td.eventlog-empty { background: none; }
.eventlog-null { color: var(--body-quiet-color, #999); font-style: italic; }
.eventlog-nochanges { color: var(--body-quiet-color, #999); }
pre.eventlog-json { margin: 0; white-space: pre-wrap; }
#eventlog-history td, #eventlog-history th { vertical-align: top; }
#eventlog-history .eventlog-source { color: var(--body-quiet-color, #666); font-size: 11px; }
#eventlog-history form.eventlog-revert { margin: 0; }
#eventlog-history tr:target { outline: 2px solid var(--primary, #79aec8); }
"""

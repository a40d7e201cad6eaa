"""The log in Django's admin (django.contrib.admin).

- `EventLogAdmin`: the events, read-only for everyone (no add, change or
  delete): a list filtered by tool, action, actor, object type and date,
  searched by message and object id, each event's page with its diff as an
  old-to-new table and a link to the object's admin page while it exists.
- `EventLogHistoryMixin`: the object's "History" page (the admin's own link
  on every change form) shows the object's events from every client (the
  app, tracked tables, psql), newest first, paginated with the extension's
  exact counts (`eventlog_page`), with "Revert this change"
  (`eventlog_revert`) for staff who may change the object.
- Staff see the events of the models they may view only (see
  eventlog.visibility), in the list, on the event pages and in counts.

With django.contrib.admin installed, the log is registered on `admin.site`
and the history is put on every ModelAdmin of `admin.site` (those that do
not define a history_view of their own) when its URLs are first built;
settings.EVENTLOG_ADMIN = False turns both off. For another AdminSite:
`site.register(EventLog, EventLogAdmin)` and `add_history(site)`, or list
`EventLogHistoryMixin` first among a ModelAdmin's bases.
"""
import datetime
import json
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.options import IS_POPUP_VAR, TO_FIELD_VAR, get_content_type_for_model
from django.contrib.admin.utils import quote, unquote
from django.contrib.admin.views.main import ALL_VAR, ERROR_FLAG, ORDER_VAR, PAGE_VAR, ChangeList
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError, connections, router, transaction
from django.db.models import Max, Min
from django.db.models.query import QuerySet
from django.http import HttpResponseRedirect
from django.template import TemplateDoesNotExist, engines
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from rest_framework.exceptions import ValidationError

from . import display, tracking, visibility
from .actor import eventlog_actor
from .dbapi import primary_message
from .models import EventLog
from .object_types import model_for, object_type_for
from .objects import identity
from .services import EventLogService

HISTORY_TEMPLATE = "eventlog_history.html"  # bundled next to this module; admin/eventlog_history.html overrides it


def _using_read():
    return router.db_for_read(EventLog)


# --- objects the events are about --------------------------------------------

def _object_key(model, object_id):
    """The model's primary key value for an event's object_id text, or None."""
    pk = model._meta.pk
    if pk is None or getattr(model._meta, "is_composite_pk", False):
        return None
    try:
        return pk.to_python(object_id)
    except (DjangoValidationError, TypeError, ValueError):
        return None


def _admin_url(site, model, name, pk=None):
    opts = model._meta
    try:
        return reverse(f"{site.name}:{opts.app_label}_{opts.model_name}_{name}",
                       args=[] if pk is None else [quote(pk)], current_app=site.name)
    except NoReverseMatch:
        return None


class _Target:
    """What an event is about, for links: its model, key, whether the row
    still exists, and the admin pages the user may open."""

    def __init__(self, model=None, pk=None, exists=False, change_url=None, history_url=None):
        self.model, self.pk, self.exists = model, pk, exists
        self.change_url, self.history_url = change_url, history_url


def _targets(events, site, request, using):
    """Sets `_eventlog_target` on each event: one query per model for the
    rows that still exist."""
    wanted = defaultdict(list)
    for event in events:
        event._eventlog_target = _Target()
        model = model_for(event.object_type, using)
        if model is None or event.object_id is None:
            continue
        model_admin = site._registry.get(model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            event._eventlog_target = _Target(model)
            continue
        pk = _object_key(model, event.object_id)
        if pk is not None:
            wanted[model].append((event, pk))
    for model, items in wanted.items():
        rows = model._default_manager.filter(pk__in={pk for _, pk in items}).values_list("pk", flat=True)
        try:
            with transaction.atomic(using=rows.db):  # a failure leaves the request's transaction usable
                existing = set(rows)
        except (DatabaseError, DjangoValidationError, TypeError, ValueError):
            existing = set()
        history = isinstance(site._registry[model], EventLogHistoryMixin)
        for event, pk in items:
            event._eventlog_target = _Target(
                model, pk, pk in existing,
                _admin_url(site, model, "change", pk) if pk in existing else None,
                _admin_url(site, model, "history", pk) if history else None)


def _object_html(event, target, long=False):
    if target.model is not None:
        label = f"{capfirst(target.model._meta.verbose_name)} {event.object_id}"
    else:
        label = " ".join(str(part) for part in (event.object_type, event.object_id) if part is not None) or "-"
    if target.change_url:
        html = format_html('<a href="{}">{}</a>', target.change_url, label)
    elif target.model is not None and target.pk is not None and long:
        html = format_html("{} <span class=\"eventlog-null\">{}</span>", label, "(no longer exists)")
    else:
        html = format_html("{}", label)
    if long and target.history_url:
        html = format_html('{} &middot; <a href="{}">{}</a>', html, target.history_url, "history")
    return html


# --- the list's filters -------------------------------------------------------

class _CountedFilter(admin.SimpleListFilter):
    """A filter on one counted column (tool, action, actor, object type):
    its values from the extension's counts tables, the most frequent first
    (EVENTLOG_ADMIN_FILTER_VALUES of them, 100 by default), never read from
    the events themselves."""

    column = None

    def lookups(self, request, model_admin):
        using = _using_read()
        values = visibility.counted_values(using, visibility.viewable_tables(request.user, using), self.column,
                                           getattr(settings, "EVENTLOG_ADMIN_FILTER_VALUES", 100))
        return [(value, self.label(value, using)) for value in values]

    def label(self, value, using):
        return value

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(**{self.column: self.value()})


class ToolFilter(_CountedFilter):
    title = "tool"
    parameter_name = column = "tool"


class ActionFilter(_CountedFilter):
    title = "action"
    parameter_name = column = "action"


class ActorFilter(_CountedFilter):
    """By who acted, by their key (`actor_id`: a user's primary key): a
    user's events whatever names they were recorded under. Shown as the
    users' names now."""

    title = "actor"
    parameter_name = "actor"
    column = "actor_id"

    def lookups(self, request, model_admin):
        choices = super().lookups(request, model_admin)
        users = _users({key for key, _ in choices})
        return sorted(((key, _user_label(users[key]) if key in users else f"key {key}") for key, _ in choices),
                      key=lambda choice: choice[1].lower())


class ActorNameFilter(_CountedFilter):
    """By the name recorded (database roles and named jobs included)."""

    title = "actor name"
    parameter_name = "actor_name"
    column = "actor"


class ObjectTypeFilter(_CountedFilter):
    title = "object type"
    parameter_name = column = "object_type"

    def label(self, value, using):
        model = model_for(value, using)
        if model is None:
            return value
        return f"{capfirst(model._meta.verbose_name_plural)} ({model._meta.app_label})"


# --- actors --------------------------------------------------------------------

def _users(keys):
    """{key: user} of the users whose primary keys (as text) are `keys`."""
    model = get_user_model()
    pks = {}
    for key in keys:
        try:
            pks[model._meta.pk.to_python(key)] = key
        except (DjangoValidationError, TypeError, ValueError):
            continue
    if not pks:
        return {}
    return {pks[user.pk]: user for user in model._default_manager.filter(pk__in=list(pks))}


def _user_label(user):
    name = (user.get_full_name() or "").strip() if hasattr(user, "get_full_name") else ""
    username = user.get_username() if hasattr(user, "get_username") else str(user.pk)
    return f"{name} ({username})" if name and name != username else username


def _actor_links(events, site, request):
    """Sets `_eventlog_actor_url` on each event whose actor_id names a user
    the staff user may view in `site`: one query for the page."""
    model = get_user_model()
    model_admin = site._registry.get(model)
    allowed = model_admin is not None and model_admin.has_view_or_change_permission(request)
    users = _users({event.actor_id for event in events if event.actor_id}) if allowed else {}
    for event in events:
        user = users.get(event.actor_id)
        event._eventlog_actor_url = _admin_url(site, model, "change", user.pk) if user is not None else None


def _actor_html(event):
    name = event.actor if event.actor is not None else "-"
    url = getattr(event, "_eventlog_actor_url", None)
    return format_html('<a href="{}">{}</a>', url, name) if url else format_html("{}", name)


# --- counting and the date hierarchy without reading every event --------------

class EventLogPaginator(Paginator):
    """The list's count: from the extension's counts tables when the list has
    no filter or one of tool, action, actor, object type (see
    visibility.counted); otherwise counted by PostgreSQL (the index of the
    filter), never in Python."""

    def __init__(self, *args, counted=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._counted = counted

    @cached_property
    def count(self):
        if self._counted is not None:
            total = self._counted()
            if total is not None:
                return total
        return super().count


def _aware(value, zone):
    """A naive local time made aware in `zone` (pytz or zoneinfo; a time that
    a DST change skips or repeats taken as standard time)."""
    if zone is None:
        return value
    try:
        return timezone.make_aware(value, zone)
    except Exception:  # noqa: BLE001 - pytz's NonExistentTimeError, AmbiguousTimeError
        localize = getattr(zone, "localize", None)
        return localize(value, is_dst=False) if localize else value.replace(tzinfo=zone)


class _EventQuerySet(QuerySet):
    """The admin list's events. `datetimes()` (what the date hierarchy asks
    for: which years, months or days have events) probes each period with an
    index range instead of truncating every event's timestamp."""

    def datetimes(self, field_name, kind, order="ASC", tzinfo=None, **kwargs):
        # (kwargs: Django 3.2's admin passes is_dst=True; a time a DST change
        # skips or repeats is taken as standard time here, see _aware)
        if field_name != "timestamp" or kind not in ("year", "month", "day"):
            return super().datetimes(field_name, kind, order, tzinfo, **kwargs)
        bounds = self.aggregate(first=Min("timestamp"), last=Max("timestamp"))
        if bounds["first"] is None:
            return []
        zone = tzinfo or (timezone.get_current_timezone() if settings.USE_TZ else None)
        first, last = bounds["first"], bounds["last"]
        if zone is not None:
            first, last = timezone.localtime(first, zone), timezone.localtime(last, zone)
        starts = []
        current = first.replace(month=1 if kind == "year" else first.month, day=1 if kind != "day" else first.day,
                                hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
        end = last.replace(tzinfo=None)
        while current <= end:
            starts.append(current)
            if kind == "year":
                current = current.replace(year=current.year + 1)
            elif kind == "month":
                current = current.replace(year=current.year + current.month // 12, month=current.month % 12 + 1)
            else:
                current = current + datetime.timedelta(days=1)
        periods = [_aware(start, zone) for start in starts]
        stops = periods[1:] + [_aware(current, zone)]
        sql, params = self.order_by().values("timestamp").query.get_compiler(using=self.db).as_sql()
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                "SELECT p.start FROM ROWS FROM (pg_catalog.unnest(%s::timestamptz[]), pg_catalog.unnest(%s::timestamptz[]))"
                " AS p(start, stop)"
                " WHERE EXISTS (SELECT FROM (" + sql + ") AS e(t) WHERE e.t >= p.start AND e.t < p.stop)"
                " ORDER BY p.start",
                [periods, stops, *params],
            )
            found = [row[0] for row in cursor.fetchall()]
        if zone is not None:
            found = [timezone.localtime(value, zone) for value in found]
        return found if order == "ASC" else found[::-1]


class EventLogChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        events = list(self.result_list)
        _targets(events, self.model_admin.admin_site, request, self.queryset.db)
        _actor_links(events, self.model_admin.admin_site, request)


# --- the log's admin ------------------------------------------------------------

class EventLogAdmin(admin.ModelAdmin):
    list_display = ("when", "action", "object_column", "actor_column", "tool", "message_column", "changed_columns")
    list_display_links = ("when",)
    list_filter = (ToolFilter, ActionFilter, ActorFilter, ActorNameFilter, ObjectTypeFilter)
    date_hierarchy = "timestamp"
    search_fields = ("message", "=object_id")
    search_help_text = "Searches messages (any part) and object ids (exact)."
    ordering = ("-timestamp", "-id")
    sortable_by = ()
    list_per_page = 50
    show_full_result_count = False  # would count the whole log on every page
    # Django 5.0+: no "Show counts" in the filters (each value's count would be read from every event)
    if hasattr(admin, "ShowFacets"):
        show_facets = admin.ShowFacets.NEVER
    actions = None
    fieldsets = (
        (None, {"fields": ("id", "timestamp", "action", "actor_link", "actor_id", "tool", "object_link", "message")}),
        ("What changed", {"fields": ("changes_table",)}),
        ("How it was recorded", {"fields": ("db_user", "context_json", "template_message", "values_json_text")}),
    )
    readonly_fields = ("actor_link", "object_link", "changes_table", "context_json", "values_json_text")

    # Read-only for everyone, superusers included: the log is append-only.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        queryset = visibility.restrict(queryset, visibility.viewable_tables(request.user, queryset.db))
        return _EventQuerySet(model=queryset.model, query=queryset.query, using=queryset._db, hints=queryset._hints)

    def get_changelist(self, request, **kwargs):
        return EventLogChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return EventLogPaginator(queryset, per_page, orphans, allow_empty_first_page,
                                 counted=self._counted(request, queryset.db))

    def _counted(self, request, using):
        """A function giving the list's count from the counts tables when the
        request's filters allow it, else None."""
        ignored = {PAGE_VAR, ALL_VAR, ORDER_VAR, IS_POPUP_VAR, TO_FIELD_VAR, ERROR_FLAG, "_facets"}
        params = {k: v for k, v in request.GET.items() if k not in ignored and not (k == "q" and not v)}
        columns = {spec.parameter_name: spec.column for spec in self.list_filter if issubclass(spec, _CountedFilter)}
        if len(params) > 1 or (params and next(iter(params)) not in columns):
            return None
        column, value = (columns[next(iter(params))], next(iter(params.values()))) if params else (None, None)
        oids = visibility.viewable_tables(request.user, using)
        return lambda: visibility.counted(using, oids, column, value)

    # columns and fields
    @admin.display(description="timestamp")
    def when(self, event):
        moment = timezone.localtime(event.timestamp) if timezone.is_aware(event.timestamp) else event.timestamp
        return moment.strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description="actor")
    def actor_column(self, event):
        return _actor_html(event)

    @admin.display(description="object")
    def object_column(self, event):
        target = getattr(event, "_eventlog_target", None) or _Target()
        return _object_html(event, target)

    @admin.display(description="message")
    def message_column(self, event):
        text = event.message or ""
        return text if len(text) <= 120 else text[:119] + "\u2026"

    @admin.display(description="changed")
    def changed_columns(self, event):
        rows = display.changes_rows(event.changes)
        return ", ".join(column for column, _, _, _ in rows)

    @admin.display(description="actor")
    def actor_link(self, event):
        return _actor_html(event)

    @admin.display(description="object")
    def object_link(self, event):
        return _object_html(event, getattr(event, "_eventlog_target", None) or _Target(), long=True)

    @admin.display(description="changes")
    def changes_table(self, event):
        table = display.changes_table(event.changes, model_for(event.object_type, event._state.db or _using_read()))
        return format_html("<style>{}</style>{}", mark_safe(display.STYLE), table)

    @admin.display(description="context")
    def context_json(self, event):
        return display.json_text(event.context)

    @admin.display(description="values json")
    def values_json_text(self, event):
        return display.json_text(event.values_json)

    def history_view(self, request, object_id, extra_context=None):
        """An event's "History": its object's history, at the event."""
        event = self.get_object(request, unquote(object_id))
        target = getattr(event, "_eventlog_target", None)
        if target is not None and target.history_url:
            return HttpResponseRedirect(f"{target.history_url}#event-{event.pk}")
        return super().history_view(request, object_id, extra_context)

    def get_object(self, request, object_id, from_field=None):
        event = super().get_object(request, object_id, from_field)
        if event is not None:  # where object_link and actor_link point, for this user
            _targets([event], self.admin_site, request, event._state.db or _using_read())
            _actor_links([event], self.admin_site, request)
        return event


# --- the history of an object ---------------------------------------------------

class _ObjectEvents:
    """One object's events for a Paginator: the count and each page from
    eventlog_page (its exact count; never a count of rows in Python), the
    events' other columns by id."""

    def __init__(self, using, object_type, object_id, per_page, first_page):
        self.using, self.object_type, self.object_id, self.per_page = using, object_type, object_id, per_page
        self.first_page = first_page
        self.pages = {}

    def _page(self, page):
        if page not in self.pages:
            with connections[self.using].cursor() as cursor:
                cursor.execute("SELECT eventlog_page(object_type => %s, object_id => %s, page_size => %s, page => %s)::text",
                               [self.object_type, self.object_id, self.per_page, page])
                answer = json.loads(cursor.fetchone()[0])
            ids = [result["id"] for result in answer["results"]]
            rows = EventLog.objects.using(self.using).in_bulk(ids)
            self.pages[page] = (answer["count"], [rows[i] for i in ids if i in rows])
        return self.pages[page]

    def count(self):
        return self._page(self.first_page)[0]

    def __len__(self):
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.start is None or index.start % self.per_page:
            raise TypeError("_ObjectEvents: whole pages only")
        return self._page(index.start // self.per_page + 1)[1]


class _DeletedObject:
    """Stands for an object that no longer exists, on its history page."""

    def __init__(self, model, pk):
        self.pk, self._meta = pk, model._meta

    def __str__(self):
        return f"{capfirst(self._meta.verbose_name)} {self.pk} (deleted)"


_bundled_template = []


def _history_template(opts):
    """A project's admin/[<app_label>/[<model_name>/]]eventlog_history.html, else
    the one next to this module (read from the file: the template folders of
    the app Django knows, eventlog or django_simple_eventlog, are not both
    there)."""
    try:
        return select_template([f"admin/{opts.app_label}/{opts.model_name}/{HISTORY_TEMPLATE}",
                                f"admin/{opts.app_label}/{HISTORY_TEMPLATE}", f"admin/{HISTORY_TEMPLATE}"])
    except TemplateDoesNotExist:
        if not _bundled_template:
            _bundled_template.append(engines["django"].from_string((Path(__file__).parent / HISTORY_TEMPLATE).read_text()))
        return _bundled_template[0]


class EventLogHistoryMixin:
    """A ModelAdmin mixin (list it first among the bases): the object's
    History page shows its events from the log when the model's table is
    tracked or the object has events; else Django's own history
    (`?source=admin` shows that one always)."""

    eventlog_history_per_page = 50

    def history_view(self, request, object_id, extra_context=None):
        if request.GET.get("source") == "admin":
            return super().history_view(request, object_id, extra_context)
        using = _using_read()
        model = self.model
        object_type = object_type_for(model, using)
        if object_type is None:
            return super().history_view(request, object_id, extra_context)
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            if not self.has_view_or_change_permission(request, obj):
                raise PermissionDenied
            key = identity(obj, using)[1]
        else:
            if not self.has_view_or_change_permission(request):
                raise PermissionDenied
            pk = _object_key(model, unquote(object_id))
            if pk is None:
                return super().history_view(request, object_id, extra_context)
            key = str(pk)

        if request.method == "POST" and "revert" in request.POST:
            return self._eventlog_revert(request, obj, object_type, key)

        try:
            first_page = max(int(request.GET.get(PAGE_VAR, 1)), 1)
        except ValueError:
            first_page = 1
        per_page = self.eventlog_history_per_page
        paginator = Paginator(_ObjectEvents(using, object_type, key, per_page, first_page), per_page)
        tracked = tracking.is_tracked(model, using)
        if paginator.count == 0 and (obj is None or not tracked):
            return super().history_view(request, object_id, extra_context)  # Django's ("does not exist", when gone)
        page = paginator.get_page(first_page)
        shown = obj if obj is not None else _DeletedObject(model, key)

        site = self.admin_site
        log_admin = site._registry.get(EventLog)
        log_links = log_admin is not None and log_admin.has_view_permission(request)
        _actor_links(page.object_list, site, request)
        for event in page.object_list:
            event.eventlog_actor = _actor_html(event)
            event.eventlog_changes = display.changes_table(event.changes, model)
            event.eventlog_source = _source(event)
            event.eventlog_revertible = self._eventlog_may_revert(request, obj, event)
            event.eventlog_url = _admin_url(site, EventLog, "change", event.pk) if log_links else None
        admin_log = LogEntry.objects.filter(object_id=unquote(object_id),
                                            content_type=get_content_type_for_model(model)).count()
        context = {
            **site.each_context(request),
            "title": f"Change history: {shown}",
            "subtitle": None,
            "object": shown,
            "opts": model._meta,
            "module_name": str(capfirst(model._meta.verbose_name_plural)),
            "preserved_filters": self.get_preserved_filters(request),
            "action_list": [],
            "events": page.object_list,
            "page_obj": page,
            "paginator": paginator,
            "page_range": list(paginator.get_elided_page_range(page.number)) if paginator.num_pages > 1 else [],
            "ellipsis": paginator.ELLIPSIS,
            "page_var": PAGE_VAR,
            "object_exists": obj is not None,
            "tracked": tracked,
            "admin_log_count": admin_log,
            "eventlog_style": mark_safe(display.STYLE),
            **(extra_context or {}),
        }
        request.current_app = site.name
        return TemplateResponse(request, _history_template(model._meta), context)

    def _eventlog_may_revert(self, request, obj, event):
        """The button: offered for the row changes eventlog_revert can undo, to
        users allowed to (see _eventlog_allowed_to_revert)."""
        changes = event.changes
        if event.action not in ("create", "update", "delete") or event.object_table is None:
            return False
        if not isinstance(changes, dict) or not {"old_value", "new_value"} <= set(changes):
            return False
        if (event.action == "delete") != (obj is None):
            return False  # a delete while the key is taken again; a create or update of a row that is gone
        return self._eventlog_allowed_to_revert(request, obj, event)

    def _eventlog_allowed_to_revert(self, request, obj, event):
        """Users who may change the object (and delete it, to undo its
        creation; add it, to undo its deletion)."""
        if not self.has_change_permission(request, obj):
            return False
        if event.action == "create":
            return self.has_delete_permission(request, obj)
        if event.action == "delete":
            return self.has_add_permission(request)
        return True

    def _eventlog_revert(self, request, obj, object_type, key):
        using = router.db_for_write(EventLog)
        try:
            event_id = int(request.POST["revert"])
        except ValueError:
            event_id = None
        event = EventLog.objects.using(using).filter(id=event_id, object_type=object_type, object_id=key).first()
        if event is None:
            messages.error(request, "That event is not one of this object's.")
        elif not self._eventlog_allowed_to_revert(request, obj, event):
            raise PermissionDenied
        else:
            try:
                with eventlog_actor(request.user, using):
                    revert_id = EventLogService.revert(event.pk)
            except ValidationError as refused:
                detail = refused.detail.get("revert") if isinstance(refused.detail, dict) else refused.detail
                text = str(detail[0] if isinstance(detail, list) else detail).splitlines()[0]
                messages.error(request, f"The change was not reverted: {text}")
            except DatabaseError as failed:  # e.g. a constraint, or a privilege the database role lacks
                messages.error(request, f"The change was not reverted: {primary_message(failed)}")
            else:
                messages.success(request, f"Event {event.pk} ({event.action}) was reverted; "
                                          f"the revert is event {revert_id}.")
        return HttpResponseRedirect(request.path)


def _source(event):
    """Who wrote the event, in short: the database role, and the request when
    the adapter's middleware gave one."""
    parts = [f"role {event.db_user}"]
    context = event.context if isinstance(event.context, dict) else {}
    if context.get("method") and context.get("path"):
        parts.append(f"{context['method']} {context['path']}")
    if "revert_of" in context:
        parts.append(f"revert of #{context['revert_of']}")
    return " \u00b7 ".join(parts)


# --- putting it on an admin site ------------------------------------------------

_history_classes = {}


def _with_history(model_admin_class):
    if model_admin_class not in _history_classes:
        _history_classes[model_admin_class] = type(
            model_admin_class.__name__, (EventLogHistoryMixin, model_admin_class),
            {"__module__": model_admin_class.__module__, "__qualname__": model_admin_class.__qualname__})
    return _history_classes[model_admin_class]


def _own_history_view(model_admin_class):
    return model_admin_class.history_view is not admin.ModelAdmin.history_view


def add_history(site):
    """Puts the log's history on the History page of every ModelAdmin of
    `site` that has no history_view of its own (those registered after this
    call too): done when the site's URLs are first built."""
    if getattr(site, "_eventlog_history", False):
        return
    build_urls = site.get_urls

    def get_urls():
        for model, model_admin in list(site._registry.items()):
            cls = type(model_admin)
            if model is EventLog or isinstance(model_admin, EventLogHistoryMixin) or _own_history_view(cls):
                continue
            model_admin.__class__ = _with_history(cls)
        return build_urls()

    site.get_urls = get_urls
    site._eventlog_history = True


def _install():
    if not getattr(settings, "EVENTLOG_ADMIN", True):
        return
    if EventLog not in admin.site._registry:
        admin.site.register(EventLog, EventLogAdmin)
    add_history(admin.site)


_install()

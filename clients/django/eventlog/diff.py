"""EventLogService.create_diff_schema: the original app's diff, in Python (no
database needed), without its accidents.

As the original:
- `exclude_keys` plus id, created_at, created_by, updated_by, updated_at,
  uuid and url are left out, at every depth;
- nested objects are diffed key by key, showing only what changed; a key
  missing on one side counts as None there (so {"a": None} against {} is no
  change), and a key present on one side only shows None on the other;
- a list whose elements are all objects with a key ("id", else "uuid", else
  "document_type") becomes an object of those elements keyed by it, on its
  own side, and is diffed as one (an empty list against such a list counts
  as an empty one); the key itself stays excluded inside the elements, also
  in added and removed ones;
- other lists compare whole; so do scalars;
- the answer is {"old_value": ..., "new_value": ...}, {} for a side with
  nothing to show; (None, None) gives {"old_value": {}, "new_value": {}}.

Not kept from the original: `True == 1` and `False == 0` (a boolean that
becomes a number is a change); elements without a key keyed by
hash(str(element)), which changes from process to process (such lists
compare whole instead); an id 0 or "" falling through to the next key;
an empty list shown as {}.
"""

import decimal

DEFAULT_EXCLUDE_KEYS = ("id", "created_at", "created_by", "updated_by", "updated_at", "uuid", "url")
LIST_KEYS = ("id", "uuid", "document_type")


class _Keyed(dict):
    """A list of keyed objects, as an object keyed by their keys."""


def _element_key(element):
    for name in LIST_KEYS:
        value = element.get(name)
        if value is not None:
            if isinstance(value, (str, int, float, bool)):
                return value
            return str(value)
    return None


def _normalize(value, exclude):
    if isinstance(value, dict):
        return {k: _normalize(v, exclude) for k, v in value.items() if k not in exclude}
    if isinstance(value, (list, tuple)):
        if value and all(isinstance(e, dict) for e in value):
            keys = [_element_key(e) for e in value]
            if all(k is not None for k in keys):
                keyed = _Keyed()
                for key, element in zip(keys, value):
                    keyed[key] = _normalize(element, exclude)  # a repeated key keeps its last element
                return keyed
        return [_normalize(e, exclude) for e in value]
    return value


def _number(value):
    return isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool)


def _same(a, b):
    """Equality of JSON values: 1 equals 1.0, True does not equal 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _number(a) or _number(b):
        return _number(a) and _number(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if type(a) != type(b) and (isinstance(a, (dict, list)) or isinstance(b, (dict, list))):
        return False
    return a == b


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _diff(old, new):
    # An empty list against a keyed list is an empty keyed list.
    if isinstance(old, list) and not old and isinstance(new, _Keyed):
        old = _Keyed()
    if isinstance(new, list) and not new and isinstance(old, _Keyed):
        new = _Keyed()
    if isinstance(old, dict) and isinstance(new, dict):
        old_changes, new_changes = {}, {}
        for key in list(old) + [k for k in new if k not in old]:
            o, n = _diff(old.get(key), new.get(key))
            if o is not None or n is not None:
                old_changes[key], new_changes[key] = o, n
        return (old_changes, new_changes) if old_changes else (None, None)
    if _same(old, new):
        return None, None
    return _plain(old), _plain(new)


def create_diff_schema(old_data, new_data, exclude_keys=None):
    exclude = set(exclude_keys or ()) | set(DEFAULT_EXCLUDE_KEYS)
    old_value, new_value = _diff(_normalize(old_data, exclude), _normalize(new_data, exclude))
    return {
        "old_value": {} if old_value is None else old_value,
        "new_value": {} if new_value is None else new_value,
    }

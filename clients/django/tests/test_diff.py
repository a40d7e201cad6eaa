"""EventLogService.create_diff_schema as the original computed it (issue point
5). Plain unit tests: no django_db mark, so any database access fails them,
as the original's pure unit tests would."""
import os
import subprocess
import sys
from pathlib import Path

from django_simple_eventlog.services import EventLogService

diff = EventLogService.create_diff_schema


def test_the_original_readme_example():
    old_data = {"name": "John", "status": "active"}
    new_data = {"name": "John", "status": "inactive"}
    assert diff(old_data, new_data, exclude_keys=["updated_at"]) == {
        "old_value": {"status": "active"}, "new_value": {"status": "inactive"}}


def test_none_and_missing_are_the_same():
    assert diff({"a": None}, {}) == {"old_value": {}, "new_value": {}}
    assert diff({}, {"a": None, "b": 1}) == {"old_value": {"b": None}, "new_value": {"b": 1}}
    assert diff({"a": {"x": None}}, {"a": {}}) == {"old_value": {}, "new_value": {}}


def test_none_none_creations_and_deletions():
    assert diff(None, None) == {"old_value": {}, "new_value": {}}
    assert diff(None, {"name": "B", "id": 3}) == {"old_value": {}, "new_value": {"name": "B"}}
    assert diff({"name": "B", "updated_at": "x"}, None) == {"old_value": {"name": "B"}, "new_value": {}}


def test_default_keys_are_left_out_at_every_depth():
    old = {"id": 1, "updated_at": "a", "uuid": "u1", "url": "x", "name": "A", "meta": {"x": 1, "y": 2, "updated_at": 1}}
    new = {"id": 2, "updated_at": "b", "uuid": "u2", "url": "y", "name": "A", "meta": {"x": 1, "y": 3, "updated_at": 2}}
    assert diff(old, new) == {"old_value": {"meta": {"y": 2}}, "new_value": {"meta": {"y": 3}}}
    assert diff({"a": {"b": 1, "c": 1}}, {"a": {"b": 2, "c": 2}}, exclude_keys=["c"]) == {
        "old_value": {"a": {"b": 1}}, "new_value": {"a": {"b": 2}}}


def test_lists_of_objects_are_keyed_by_id_and_added_elements_lose_their_id():
    old = {"tags": [{"id": 7, "q": 1}, {"id": 8, "q": 1}]}
    new = {"tags": [{"id": 7, "q": 2}, {"id": 9, "q": 1, "created_by": "me"}]}
    assert diff(old, new) == {
        "old_value": {"tags": {7: {"q": 1}, 8: {"q": 1}, 9: None}},
        "new_value": {"tags": {7: {"q": 2}, 8: None, 9: {"q": 1}}},
    }
    assert diff({"tags": []}, {"tags": [{"id": 1, "q": 1}]}) == {
        "old_value": {"tags": {1: None}}, "new_value": {"tags": {1: {"q": 1}}}}


def test_then_by_uuid_then_by_document_type():
    old = {"files": [{"uuid": "u1", "name": "a"}], "documents": [{"document_type": "passport", "number": "1"}]}
    new = {"files": [{"uuid": "u1", "name": "b"}], "documents": [{"document_type": "passport", "number": "2"},
                                                                   {"document_type": "visa", "number": "3"}]}
    assert diff(old, new) == {
        "old_value": {"files": {"u1": {"name": "a"}},
                      "documents": {"passport": {"number": "1"}, "visa": None}},
        "new_value": {"files": {"u1": {"name": "b"}},
                      "documents": {"passport": {"number": "2"}, "visa": {"document_type": "visa", "number": "3"}}},
    }


def test_top_level_lists_are_diffed():
    assert diff([{"id": 1, "q": 1}], [{"id": 1, "q": 2}]) == {"old_value": {1: {"q": 1}}, "new_value": {1: {"q": 2}}}
    assert diff([1, 2], [1, 3]) == {"old_value": [1, 2], "new_value": [1, 3]}
    assert diff([1, 2], [1, 2]) == {"old_value": {}, "new_value": {}}


def test_other_lists_compare_whole():
    assert diff({"l": [1, 2]}, {"l": [2, 1]}) == {"old_value": {"l": [1, 2]}, "new_value": {"l": [2, 1]}}
    assert diff({"l": []}, {"l": [1]}) == {"old_value": {"l": []}, "new_value": {"l": [1]}}
    # elements without a key: the whole list (the original keyed them by hash(str(element)))
    old = {"lines": [{"sku": "A", "qty": 1, "updated_at": 1}, {"sku": "B", "qty": 2}]}
    new = {"lines": [{"sku": "A", "qty": 1, "updated_at": 2}, {"sku": "B", "qty": 3}]}
    assert diff(old, new) == {
        "old_value": {"lines": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}]},
        "new_value": {"lines": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 3}]},
    }
    assert diff(old, {"lines": [{"sku": "A", "qty": 1}, {"sku": "B", "qty": 2}]}) == {"old_value": {}, "new_value": {}}


def test_not_the_originals_accidents():
    assert diff({"a": True}, {"a": 1}) == {"old_value": {"a": True}, "new_value": {"a": 1}}
    assert diff({"a": 0}, {"a": False}) == {"old_value": {"a": 0}, "new_value": {"a": False}}
    assert diff({"a": 1}, {"a": 1.0}) == {"old_value": {}, "new_value": {}}  # the same JSON number
    assert diff({"t": [{"id": 0, "q": 1}]}, {"t": [{"id": 0, "q": 2}]}) == {
        "old_value": {"t": {0: {"q": 1}}}, "new_value": {"t": {0: {"q": 2}}}}


def test_the_same_answer_in_every_process():
    code = ("import json, django; django.setup();"
            "from eventlog.services import EventLogService as S;"
            "print(json.dumps(S.create_diff_schema({'l': [{'a': 1}, {'a': 2}]}, {'l': [{'a': 1}, {'a': 3}]}), sort_keys=True))")
    answers = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              cwd=Path(__file__).resolve().parent.parent,
                              env={**os.environ, "DJANGO_SETTINGS_MODULE": "testproject.settings", "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(answers) == 1, answers

import pytest
from django.core.exceptions import ImproperlyConfigured

from billing_center.accounts import events as account_events
from billing_center.audit import events
from billing_center.audit.events import declared, event_type, holder_visible_names, label_for, resolve
from billing_center.audit.services import audit_record


def test_every_app_vocabulary_is_loaded_at_startup():
    # given Django has started (the audit app autodiscovers every events.py)
    names = declared()
    # then events of accounts, verification and contracts are all declared
    assert {"signup", "code.sent", "contract.created"} <= set(names)


def test_an_undeclared_event_is_refused():
    with pytest.raises(ValueError, match="not declared"):
        resolve("made.up")


def test_a_name_declared_twice_is_refused():
    with pytest.raises(ImproperlyConfigured, match="twice"):
        event_type("signup", "again")


def test_the_language_change_has_its_label():
    # The written name and the label key used to differ, showing a raw "account: language changed".
    assert label_for(account_events.LANGUAGE_CHANGED.name) == "Language changed"


def test_operator_bookkeeping_is_not_holder_visible():
    visible = holder_visible_names()
    assert "login.succeeded" in visible
    assert "account.flags_changed" not in visible
    assert "contract.created" not in visible


def test_the_sorted_holder_visible_names_follow_the_registry(monkeypatch):
    # given the sorted names read once
    assert events.holder_visible_names_sorted() == tuple(sorted(holder_visible_names()))
    # when an event is declared afterwards (in a copy of the registry, restored after the test)
    monkeypatch.setattr(events, "_REGISTRY", dict(events._REGISTRY))
    event_type("zz.test_only", "Test only", holder_visible=True)
    # then it is in them
    assert events.holder_visible_names_sorted()[-1] == "zz.test_only"
    monkeypatch.undo()
    assert "zz.test_only" not in events.holder_visible_names_sorted()


@pytest.mark.django_db
def test_audit_record_stores_the_declared_name():
    row = audit_record(event=account_events.SIGNUP)
    assert row.event == "signup"
    with pytest.raises(ValueError):
        audit_record(event="made.up")

"""The account aggregates and rules, with no I/O."""
from datetime import datetime, timezone

import pytest

from domain.accounts import events
from domain.accounts.model import Session, User
from domain.accounts.policy import check_password, normalise_email
from domain.errors import Conflict, InvalidInput

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def new_user() -> User:
    user = User.register("u1", "ann@example.com", "hash", "Ann", "Lee", NOW)
    user.take_events()
    user.version = 1
    return user


def test_email_is_normalised_for_case_and_whitespace():
    assert normalise_email("  Ann.Lee@Example.COM ") == "ann.lee@example.com"


@pytest.mark.parametrize("raw", ["", "ann", "ann@", "@example.com", "a b@example.com",
                                 "ann@example", "x" * 250 + "@example.com"])
def test_malformed_emails_are_refused(raw):
    with pytest.raises(InvalidInput):
        normalise_email(raw)


@pytest.mark.parametrize("password", ["short1A", "alllowercaseletters", "1234567890123",
                                      "ann@example.com", "ANN@EXAMPLE.COM"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(InvalidInput) as error:
        check_password(password, "ann@example.com")
    assert error.value.field == "password"


def test_a_mixed_password_of_ten_characters_passes():
    check_password("Popcorn-2026", "ann@example.com")


def test_registering_records_one_event_without_secrets():
    user = User.register("u1", "ann@example.com", "argon-hash", "Ann", "", NOW)
    [event] = user.pending_events
    assert isinstance(event, events.UserRegistered)
    assert "argon-hash" not in str(event.payload())


def test_profile_update_records_only_changed_fields():
    user = new_user()
    user.update_profile({"first_name": "Ann", "last_name": "Smith",
                         "profile": {"bio": "hi", "privacy": "private"}}, NOW)
    [event] = user.pending_events
    assert event.changes == {"last_name": "Smith", "profile": {"bio": "hi"}}


def test_an_update_that_changes_nothing_records_nothing():
    user = new_user()
    user.update_profile({"first_name": "Ann", "profile": {}}, NOW)
    assert user.pending_events == [] and not user.changed


def test_unknown_timezone_is_refused():
    with pytest.raises(InvalidInput) as error:
        new_user().update_profile({"profile": {"timezone": "Mars/Olympus"}}, NOW)
    assert error.value.field == "timezone"


def test_verifying_twice_is_refused():
    user = new_user()
    user.verify_email("ann@example.com", NOW)
    with pytest.raises(InvalidInput):
        user.verify_email("ann@example.com", NOW)


def test_verifying_an_old_address_is_refused():
    with pytest.raises(InvalidInput):
        new_user().verify_email("old@example.com", NOW)


def test_password_change_moves_the_credentials_version():
    user = new_user()
    user.change_password("new-hash", NOW, via_reset=True)
    assert user.credentials_version == 2
    assert isinstance(user.pending_events[0], events.PasswordChanged)


def test_a_session_accepts_only_its_current_refresh_token():
    session = Session.start("s1", "u1", "jti-1", "1.2.3.4", "ua", NOW, credentials_version=1)
    session.rotate("jti-2", "1.2.3.4", "ua", NOW)
    assert session.accepts("jti-2") and not session.accepts("jti-1")


def test_a_revoked_session_accepts_nothing_and_cannot_rotate():
    session = Session.start("s1", "u1", "jti-1", "", "", NOW, credentials_version=1)
    session.revoke("logout", NOW)
    assert not session.accepts("jti-1")
    with pytest.raises(Conflict):
        session.rotate("jti-2", "", "", NOW)


def test_revoking_twice_records_one_event():
    session = Session.start("s1", "u1", "jti-1", "", "", NOW, credentials_version=1)
    session.revoke("logout", NOW)
    session.revoke("logout", NOW)
    assert [type(e).__name__ for e in session.pending_events] == [
        "SessionStarted", "SessionRevoked"]


@pytest.mark.parametrize("raw", ["a,b@x.io", "a;b@x.io", '"a"@x.io', "<a>@x.io",
                                 "a@x.io>", "a(b)@x.io", "a\\b@x.io", "a:b@x.io"])
def test_addresses_that_could_name_more_than_one_mailbox_are_refused(raw):
    with pytest.raises(InvalidInput):
        normalise_email(raw)


def test_a_session_holds_the_credentials_it_was_started_with():
    user = new_user()
    session = Session.start("s1", user.id, "jti", "", "", NOW,
                            credentials_version=user.credentials_version)
    assert session.holds_credentials(user)
    user.change_password("new-hash", NOW, via_reset=True)
    assert not session.holds_credentials(user)
    session.take_events()
    session.renew_credentials(user.credentials_version)
    assert session.holds_credentials(user) and session.changed
    assert session.take_events() == []  # no event: nothing anyone else sees


def test_a_revoked_session_says_it_has_ended_and_keeps_its_state():
    session = Session.start("s1", "u1", "jti-1", "ip", "ua", NOW, credentials_version=1)
    session.revoke("logout", NOW)
    with pytest.raises(Conflict) as error:
        session.rotate("jti-2", "ip2", "ua2", NOW)
    assert error.value.message == "This session has ended."
    assert (session.refresh_jti, session.ip, session.user_agent) == ("jti-1", "ip", "ua")


def test_the_system_clock_tells_utc_time():
    from datetime import datetime as real_datetime

    from domain.ports import SystemClock
    before = real_datetime.now(timezone.utc)
    now = SystemClock().now()
    assert now.tzinfo is timezone.utc and before <= now <= real_datetime.now(timezone.utc)


def test_an_error_says_its_message_and_names_its_field():
    error = InvalidInput("Bad.", field="rating")
    assert (str(error), error.message, error.field) == ("Bad.", "Bad.", "rating")
    assert InvalidInput("Bad.").field is None


def test_taking_the_events_leaves_the_aggregate_unchanged():
    user = User.register("u1", "ann@example.com", "hash", "Ann", "Lee", NOW)
    assert user.changed is True
    assert [type(e) for e in user.take_events()] == [events.UserRegistered]
    assert user.changed is False and user.pending_events == []

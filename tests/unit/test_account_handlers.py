"""The account handlers through bootstrap, against the in-memory unit of work: what
each command stores and records, what it refuses, and that a refusal writes nothing."""
import pytest

from domain.accounts import commands, events
from domain.accounts.handlers import WRONG_CREDENTIALS
from domain.accounts.model import DEFAULT_PROFILE, MailRequest
from domain.errors import AuthenticationFailed, Conflict, InvalidInput, NotFound, \
    RefreshTokenReused
from movienexus.bootstrap import bootstrap

EMAIL, PASSWORD, NEW = "ann@example.com", "Popcorn-2026", "Staple-battery-9"


class FakeHasher:
    """`hashed:<password>`; a hash starting `old:` is one to upgrade."""

    def __init__(self, prefix: str = "hashed"):
        self.prefix = prefix
        self.verified: list[tuple[str, str]] = []

    def hash(self, password: str) -> str:
        return f"{self.prefix}:{password}"

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append((password_hash, password))
        return password_hash in (f"{self.prefix}:{password}", f"old:{password}")

    def needs_rehash(self, password_hash: str) -> bool:
        return password_hash.startswith("old:")


@pytest.fixture
def hasher():
    return FakeHasher()


@pytest.fixture
def container(uow, clock, hasher):
    return bootstrap(unit_of_work=uow, clock=clock, hasher=hasher)


def stored(uow, kind: str, aggregate_id: str):
    return uow.store.load(kind, aggregate_id)


def kinds(uow, kind: str, aggregate_id: str) -> list[str]:
    return [type(e).__name__ for e in uow.store.events_of(kind, aggregate_id)]


def register(container, email: str = EMAIL, password: str = PASSWORD, **names):
    return container.handle(commands.RegisterUser(email, password, **names)).value


def login(container, email: str = EMAIL, password: str = PASSWORD):
    return container.handle(commands.Login(email, password, "1.2.3.4", "ua")).value


# --- register -----------------------------------------------------------------------------

def test_register_stores_the_normalised_address_the_hash_and_trimmed_names(container, uow,
                                                                             clock):
    user = register(container, " ANN@Ｅxample.com ", first_name=" Ann ", last_name=" Lee ")
    kept = stored(uow, "user", user.id)
    assert (kept.email, kept.password_hash, kept.first_name, kept.last_name) == (
        EMAIL, f"hashed:{PASSWORD}", "Ann", "Lee")
    assert (kept.role, kept.email_verified, kept.credentials_version) == ("user", False, 1)
    assert kept.created_at == clock.now() and kept.version == 1
    assert kept.profile == DEFAULT_PROFILE
    [event] = uow.store.events_of("user", user.id)
    assert event == events.UserRegistered(EMAIL, "Ann", "Lee", "user",
                                          clock.now().isoformat(), dict(DEFAULT_PROFILE))


def test_register_refuses_a_taken_address_in_any_spelling(container, uow):
    register(container)
    with pytest.raises(Conflict) as error:
        register(container, "Ann@EXAMPLE.com")
    assert error.value.field == "email" and len(uow.store.events) == 1


def test_register_refuses_a_weak_password_and_writes_nothing(container, uow):
    with pytest.raises(InvalidInput) as error:
        register(container, password="ann")
    assert error.value.field == "password" and uow.store.events == []
    with pytest.raises(InvalidInput):
        register(container, "nobody")
    assert uow.committed == 0


# --- verify and mail requests -------------------------------------------------------------

def test_verify_email_marks_the_user_verified(container, uow, clock):
    user = register(container)
    container.handle(commands.VerifyEmail(user.id, EMAIL))
    assert stored(uow, "user", user.id).email_verified
    assert uow.store.events_of("user", user.id)[-1] == events.EmailVerified(
        EMAIL, clock.now().isoformat())


def test_verify_email_of_an_unknown_user_or_address_is_refused(container, uow):
    user = register(container)
    for user_id, email in (("nobody", EMAIL), (user.id, "old@example.com")):
        with pytest.raises(InvalidInput) as error:
            container.handle(commands.VerifyEmail(user_id, email))
        assert error.value.field == "token"
    assert not stored(uow, "user", user.id).email_verified


@pytest.mark.parametrize("command, kind", [
    (commands.RequestPasswordReset, MailRequest.PASSWORD_RESET),
    (commands.RequestVerificationEmail, MailRequest.VERIFICATION)])
def test_a_mail_request_is_the_same_write_for_known_and_unknown_addresses(container, uow,
                                                                           command, kind):
    register(container)
    before = len(uow.store.events)
    container.handle(command(" Ann@EXAMPLE.com"))
    container.handle(command("nobody@example.com"))
    written = uow.store.events[before:]
    assert [(t, v, e) for _, t, _, v, e in written] == [
        ("mail_request", 1, events.MailRequested(kind, EMAIL)),
        ("mail_request", 1, events.MailRequested(kind, "nobody@example.com"))]
    assert written[0][2] != written[1][2]           # one request each, new ids
    assert kinds(uow, "user", stored_user_id(uow)) == ["UserRegistered"]


def stored_user_id(uow) -> str:
    [(_, user_id)] = [k for k in uow.store.aggregates if k[0] == "user"]
    return user_id


def test_a_mail_request_for_a_malformed_address_is_refused(container, uow):
    with pytest.raises(InvalidInput):
        container.handle(commands.RequestPasswordReset("not-an-address"))
    assert uow.store.events == []


# --- login --------------------------------------------------------------------------------

def test_login_starts_a_session_for_the_user(container, uow, clock):
    user = register(container)
    result = login(container, "ANN@example.com ")
    assert result.user.id == user.id
    session = stored(uow, "session", result.session_id)
    assert (session.user_id, session.refresh_jti, session.ip, session.user_agent) == (
        user.id, result.refresh_jti, "1.2.3.4", "ua")
    assert session.credentials_version == 1
    assert session.created_at == session.last_seen_at == clock.now()
    assert kinds(uow, "session", result.session_id) == ["SessionStarted"]


def test_a_wrong_password_and_an_unknown_address_fail_alike(container, uow, hasher):
    register(container)
    errors = []
    for email, password in ((EMAIL, "Wrong-password-1"), ("nobody@example.com", PASSWORD)):
        with pytest.raises(AuthenticationFailed) as error:
            login(container, email, password)
        errors.append(error.value.message)
    assert errors == [WRONG_CREDENTIALS, WRONG_CREDENTIALS]
    # the unknown address was verified against a real hash too (the same time spent)
    assert len(hasher.verified) == 2 and hasher.verified[1][1] == PASSWORD
    assert not any(k[0] == "session" for k in uow.store.aggregates)


def test_an_unknown_address_is_checked_against_a_real_hash_of_its_hasher(uow, clock):
    """The same argon2 work as for a known address: a hash made once per hasher."""
    for prefix in ("first", "second"):
        hasher = FakeHasher(prefix)
        container = bootstrap(unit_of_work=uow, clock=clock, hasher=hasher)
        for _ in range(2):
            with pytest.raises(AuthenticationFailed):
                login(container, "nobody@example.com", PASSWORD)
        [(first, _), (second, _)] = hasher.verified
        assert first == second and first.startswith(f"{prefix}:unknown-account-")
        assert len(first) == len(f"{prefix}:unknown-account-") + 32


def test_login_records_the_users_credentials_version_in_the_session(container, uow):
    user = register(container)
    container.handle(commands.ResetPassword(user.id, 1, NEW))
    result = login(container, password=NEW)
    session = stored(uow, "session", result.session_id)
    assert session.credentials_version == 2
    assert len(result.refresh_jti) == 36 and result.refresh_jti != result.session_id
    assert uow.store.events_of("session", result.session_id) == [events.SessionStarted(
        user.id, "1.2.3.4", "ua", session.created_at.isoformat())]


def test_login_upgrades_an_old_hash_without_an_event(container, uow):
    user = register(container)
    uow.store.aggregates[("user", user.id)].password_hash = f"old:{PASSWORD}"
    login(container)
    assert stored(uow, "user", user.id).password_hash == f"hashed:{PASSWORD}"
    assert kinds(uow, "user", user.id) == ["UserRegistered"]


def test_login_keeps_a_current_hash(container, uow):
    user = register(container)
    login(container)
    assert stored(uow, "user", user.id).password_hash == f"hashed:{PASSWORD}"


# --- refresh, logout, revoke --------------------------------------------------------------

def refresh(container, user_id, session_id, jti):
    return container.handle(commands.RefreshSession(user_id, session_id, jti, "5.6.7.8",
                                                    "ua2")).value


def test_refresh_rotates_the_token(container, uow, clock):
    user = register(container)
    first = login(container)
    clock.advance(60)
    result = refresh(container, user.id, first.session_id, first.refresh_jti)
    assert result.session_id == first.session_id and result.role == "user"
    assert result.refresh_jti != first.refresh_jti and len(result.refresh_jti) == 36
    assert uow.sessions_locked == [first.session_id]
    session = stored(uow, "session", first.session_id)
    assert (session.refresh_jti, session.ip, session.user_agent, session.last_seen_at) == (
        result.refresh_jti, "5.6.7.8", "ua2", clock.now())
    assert uow.store.events_of("session", first.session_id)[-1] == events.SessionRefreshed(
        user.id, "5.6.7.8", "ua2", clock.now().isoformat())


def test_a_spent_refresh_token_revokes_the_session(container, uow):
    user = register(container)
    first = login(container)
    refresh(container, user.id, first.session_id, first.refresh_jti)
    with pytest.raises(RefreshTokenReused):
        refresh(container, user.id, first.session_id, first.refresh_jti)
    session = stored(uow, "session", first.session_id)
    assert session.revoke_reason == "refresh_token_reused" and not session.is_active


@pytest.mark.parametrize("case", ["unknown session", "another user", "revoked"])
def test_refresh_of_a_session_that_is_not_the_callers_or_not_live_fails(container, uow,
                                                                         case):
    user = register(container)
    first = login(container)
    user_id, session_id = user.id, first.session_id
    if case == "unknown session":
        session_id = "nope"
    elif case == "another user":
        user_id = register(container, "bob@example.com").id
    else:
        container.handle(commands.Logout(user.id, first.session_id))
    before = len(uow.store.events)
    with pytest.raises(AuthenticationFailed) as error:
        refresh(container, user_id, session_id, first.refresh_jti)
    assert not isinstance(error.value, RefreshTokenReused)
    assert len(uow.store.events) == before


def test_refresh_after_a_password_reset_fails(container, uow):
    user = register(container)
    first = login(container)
    stored_user = uow.store.aggregates[("user", user.id)]
    stored_user.credentials_version = 2
    with pytest.raises(AuthenticationFailed):
        refresh(container, user.id, first.session_id, first.refresh_jti)
    assert kinds(uow, "session", first.session_id) == ["SessionStarted"]


def test_logout_and_revoke_end_the_session_with_their_reason(container, uow, clock):
    user = register(container)
    one, two = login(container), login(container)
    container.handle(commands.Logout(user.id, one.session_id))
    container.handle(commands.RevokeSession(user.id, two.session_id))
    assert stored(uow, "session", one.session_id).revoke_reason == "logout"
    assert stored(uow, "session", two.session_id).revoke_reason == "revoked"
    assert stored(uow, "session", two.session_id).revoked_at == clock.now()
    assert uow.store.events_of("session", one.session_id)[-1] == events.SessionRevoked(
        user.id, "logout", clock.now().isoformat())


def test_revoking_another_users_session_is_not_found_and_writes_nothing(container, uow):
    register(container)
    ann = login(container)
    bob = register(container, "bob@example.com")
    before = len(uow.store.events)
    for session_id in (ann.session_id, "nope"):
        with pytest.raises(NotFound):
            container.handle(commands.RevokeSession(bob.id, session_id))
    assert len(uow.store.events) == before
    assert stored(uow, "session", ann.session_id).is_active


# --- passwords ----------------------------------------------------------------------------

def test_a_password_change_stores_the_new_hash_and_keeps_only_the_callers_session(
        container, uow, clock):
    user = register(container)
    mine, other = login(container), login(container)
    result = container.handle(commands.ChangePassword(user.id, mine.session_id, PASSWORD,
                                                      NEW)).value
    kept = stored(uow, "user", user.id)
    assert kept.password_hash == f"hashed:{NEW}" and kept.credentials_version == 2
    assert (result.user_id, result.credentials_version, result.revoked,
            result.kept_session) == (user.id, 2, [other.session_id], mine.session_id)
    assert stored(uow, "session", mine.session_id).credentials_version == 2
    assert stored(uow, "session", mine.session_id).is_active
    assert stored(uow, "session", other.session_id).revoke_reason == "password_changed"
    assert uow.store.events_of("user", user.id)[-1] == events.PasswordChanged(
        clock.now().isoformat(), via_reset=False)


def test_a_password_change_needs_the_current_password_and_a_good_new_one(container, uow):
    user = register(container)
    mine = login(container)
    for current, new, field in ((NEW, NEW, "current_password"),
                                (PASSWORD, "short", "new_password"),
                                (PASSWORD, "ann", "new_password")):
        with pytest.raises(InvalidInput) as error:
            container.handle(commands.ChangePassword(user.id, mine.session_id, current, new))
        assert error.value.field == field
    assert stored(uow, "user", user.id).password_hash == f"hashed:{PASSWORD}"


def test_a_password_change_of_an_unknown_user_is_not_found(container):
    with pytest.raises(NotFound):
        container.handle(commands.ChangePassword("nobody", "s", PASSWORD, NEW))


def test_a_password_change_does_not_move_another_users_session(container, uow):
    user = register(container)
    login(container)
    bob = register(container, "bob@example.com")
    bobs = login(container, "bob@example.com")
    container.handle(commands.ChangePassword(user.id, bobs.session_id, PASSWORD, NEW))
    assert stored(uow, "session", bobs.session_id).credentials_version == 1
    assert stored(uow, "user", bob.id).credentials_version == 1


def test_a_reset_stores_the_new_hash_and_revokes_every_session(container, uow, clock):
    user = register(container)
    one, two = login(container), login(container)
    result = container.handle(commands.ResetPassword(user.id, 1, NEW)).value
    assert (result.user_id, result.credentials_version) == (user.id, 2)
    kept = stored(uow, "user", user.id)
    assert kept.password_hash == f"hashed:{NEW}" and kept.credentials_version == 2
    assert sorted(result.revoked) == sorted([one.session_id, two.session_id])
    assert result.kept_session is None
    for session_id in result.revoked:
        assert stored(uow, "session", session_id).revoke_reason == "password_reset"
    assert uow.store.events_of("user", user.id)[-1] == events.PasswordChanged(
        clock.now().isoformat(), via_reset=True)


def test_a_reset_link_works_once(container, uow):
    user = register(container)
    container.handle(commands.ResetPassword(user.id, 1, NEW))
    for user_id, version, password in ((user.id, 1, "Another-pass-3"),
                                       ("nobody", 2, "Another-pass-3")):
        with pytest.raises(InvalidInput) as error:
            container.handle(commands.ResetPassword(user_id, version, password))
        assert error.value.field == "token"
    with pytest.raises(InvalidInput) as error:
        container.handle(commands.ResetPassword(user.id, 2, "ann"))
    assert error.value.field == "new_password"
    assert stored(uow, "user", user.id).password_hash == f"hashed:{NEW}"


# --- profile ------------------------------------------------------------------------------

def test_update_profile_stores_the_changes(container, uow, clock):
    user = register(container, first_name="Ann")
    changes = {"first_name": "Anne", "last_name": "Lee",
               "profile": {"bio": "Films.", "timezone": "Europe/Paris",
                           "preferred_language": "fr-FR", "favorite_genres": [18]}}
    container.handle(commands.UpdateProfile(user.id, changes))
    kept = stored(uow, "user", user.id)
    assert (kept.first_name, kept.last_name) == ("Anne", "Lee")
    assert kept.profile == {**DEFAULT_PROFILE, **changes["profile"]}
    assert uow.store.events_of("user", user.id)[-1] == events.ProfileUpdated(
        changes, clock.now().isoformat())


def test_a_second_update_keeps_the_first_ones_fields(container, uow):
    user = register(container)
    container.handle(commands.UpdateProfile(user.id, {"profile": {"bio": "One."}}))
    container.handle(commands.UpdateProfile(user.id, {"profile": {"location": "Lyon"}}))
    profile = stored(uow, "user", user.id).profile
    assert (profile["bio"], profile["location"]) == ("One.", "Lyon")


@pytest.mark.parametrize("profile, field", [({"preferred_language": "english"},
                                             "preferred_language"),
                                            ({"timezone": "Mars/Olympus"}, "timezone"),
                                            ({"shoe_size": 42}, "shoe_size")])
def test_update_profile_refuses_bad_fields_and_stores_nothing(container, uow, profile,
                                                               field):
    user = register(container)
    with pytest.raises(InvalidInput) as error:
        container.handle(commands.UpdateProfile(user.id, {"first_name": "X",
                                                          "profile": profile}))
    assert error.value.field == field
    kept = stored(uow, "user", user.id)
    assert kept.first_name == "" and kept.profile == DEFAULT_PROFILE and kept.version == 1


def test_an_update_that_changes_nothing_writes_nothing(container, uow):
    user = register(container, first_name="Ann")
    container.handle(commands.UpdateProfile(user.id, {"first_name": "Ann",
                                                      "profile": {"privacy": "private"}}))
    assert kinds(uow, "user", user.id) == ["UserRegistered"]


def test_update_profile_of_an_unknown_user_is_not_found(container):
    with pytest.raises(NotFound):
        container.handle(commands.UpdateProfile("nobody", {"first_name": "X"}))


def test_update_profile_of_names_only(container, uow):
    user = register(container)
    container.handle(commands.UpdateProfile(user.id, {"first_name": "Ann"}))
    assert stored(uow, "user", user.id).first_name == "Ann"
    assert stored(uow, "user", user.id).profile == DEFAULT_PROFILE


# --- what each refusal says (the API answers with it) -------------------------------------

def message_of(container, command) -> str:
    with pytest.raises(Exception) as error:
        container.handle(command)
    return error.value.message


def test_each_refusal_says_what_went_wrong(container):
    user = register(container)
    first = login(container)
    refresh(container, user.id, first.session_id, first.refresh_jti)
    said = {
        "taken": message_of(container, commands.RegisterUser(EMAIL, PASSWORD)),
        "verify": message_of(container, commands.VerifyEmail("nobody", EMAIL)),
        "verify address": message_of(container, commands.VerifyEmail(user.id, "o@x.io")),
        "reused": message_of(container, commands.RefreshSession(
            user.id, first.session_id, first.refresh_jti, "", "")),
        "ended": message_of(container, commands.RefreshSession(
            user.id, first.session_id, first.refresh_jti, "", "")),
        "revoke": message_of(container, commands.RevokeSession(user.id, "nope")),
        "current": message_of(container, commands.ChangePassword(
            user.id, "s", "Wrong-password-1", NEW)),
        "no user": message_of(container, commands.UpdateProfile("nobody", {})),
        "reset": message_of(container, commands.ResetPassword(user.id, 9, NEW)),
        "field": message_of(container, commands.UpdateProfile(
            user.id, {"profile": {"shoe_size": 42}})),
        "zone": message_of(container, commands.UpdateProfile(
            user.id, {"profile": {"timezone": "Mars/Olympus"}})),
    }
    assert said == {
        "taken": "An account with this email already exists.",
        "verify": "This verification link is invalid.",
        "verify address": "This verification link was already used or is invalid.",
        "reused": "This refresh token was already used; the session is revoked.",
        "ended": "This session has ended; log in again.",
        "revoke": "No such session.",
        "current": "The current password is wrong.",
        "no user": "No such user.",
        "reset": "This reset link was already used or has expired.",
        "field": "Unknown profile field 'shoe_size'.",
        "zone": "Unknown time zone 'Mars/Olympus'.",
    }


def test_a_session_of_an_old_password_has_ended(container, uow):
    user = register(container)
    first = login(container)
    uow.store.aggregates[("user", user.id)].credentials_version = 2
    assert message_of(container, commands.RefreshSession(
        user.id, first.session_id, first.refresh_jti, "", "")) == \
        "This session has ended; log in again."

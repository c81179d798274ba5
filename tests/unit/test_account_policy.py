"""Every account rule on both sides of its limit (domain/accounts/policy.py)."""
import pytest

from domain.accounts.policy import (MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, check_language,
                                    check_password, check_timezone, normalise_email)
from domain.errors import InvalidInput

EMAIL = "ann.lee@example.com"


def refused(check, *args, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as error:
        check(*args, **kwargs)
    return error.value


# --- emails -------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "ann.lee@example.com", "ANN.LEE@EXAMPLE.COM", "  ann.lee@example.com\t",
    "\u3000Ann.Lee@Example.Com ", "ann.lee@ｅxample.com", "ann.lee@ｅｘａｍｐｌｅ．ｃｏｍ",
    "ann.lee@example。com", "ann.lee@example｡com"])
def test_every_spelling_of_an_address_is_one_address(raw):
    assert normalise_email(raw) == EMAIL


@pytest.mark.parametrize("raw", ["a@bücher.de", "A@BÜCHER.DE", "a@xn--bcher-kva.de",
                                 "a@XN--BCHER-KVA.DE", "a@ｂüｃｈｅｒ。ｄｅ"])
def test_a_unicode_domain_becomes_its_ascii_name(raw):
    assert normalise_email(raw) == "a@xn--bcher-kva.de"


@pytest.mark.parametrize("raw", ["ａnn@example.com", "ann@example.test", "ann@localhost",
                                 "ann@example.c", "a" * 65 + "@example.com",
                                 "Ann <ann@example.com>", "ann@example.com, bob@example.com",
                                 "ann@@example.com", "ann@example..com"])
def test_what_is_not_one_ascii_mailbox_is_refused(raw):
    error = refused(normalise_email, raw)
    assert error.field == "email" and error.message.startswith("Not a valid email address")


def test_a_local_part_of_64_characters_and_a_two_letter_tld_pass():
    assert normalise_email("A" * 64 + "@example.io") == "a" * 64 + "@example.io"


def test_the_longest_address_is_254_characters():
    domain = ".".join(["d" * 63, "e" * 63, "f" * 63, "com"])        # 193 characters
    longest = "x" * (254 - 1 - len(domain)) + "@" + domain
    assert len(longest) == 254 and normalise_email(longest.upper()) == longest
    assert refused(normalise_email, "x" + longest).field == "email"


# --- passwords ----------------------------------------------------------------------------

def test_the_length_limits_are_10_and_256():
    assert (MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH) == (10, 256)


def test_nine_characters_are_refused_and_ten_pass():
    error = refused(check_password, "Abcdefgh1", EMAIL)
    assert error.field == "password" and error.message == \
        "Password must be at least 10 characters."
    check_password("Abcdefgh12", EMAIL)


def test_256_characters_pass_and_257_are_refused():
    check_password("Ab" * 128, EMAIL)
    error = refused(check_password, "Ab" * 128 + "c", EMAIL, field="new_password")
    assert error.message == "Password must be at most 256 characters."
    assert error.field == "new_password"


@pytest.mark.parametrize("password", ["abcdefghij", "ABCDEFGHIJ", "0123456789",
                                      "!@#$%^&*()-", "äöüßéèàçñø"])
def test_one_class_of_character_is_refused(password):
    error = refused(check_password, password, EMAIL)
    assert error.message.startswith("Password must mix character classes")


@pytest.mark.parametrize("password", ["abcdefghiJ", "abcdefghi1", "abcdefghi!", "ABCDEFGHI1",
                                      "ABCDEFGHI!", "012345678!", "abcdefghi ",
                                      "ÄÖÜABCDEFa"])
def test_two_classes_are_enough(password):
    check_password(password, EMAIL)


@pytest.mark.parametrize("password", ["ann.lee@example.com", "ANN.LEE@EXAMPLE.COM",
                                      " ann.lee@example.com "])
def test_the_email_itself_is_refused(password):
    error = refused(check_password, password, EMAIL, field="new_password")
    assert error.field == "new_password"
    assert error.message == "Password must not be your email address."


def test_the_local_part_alone_is_refused_whatever_its_case_or_padding():
    email = "popcorn-2026@example.com"
    for password in ("popcorn-2026", "POPCORN-2026", "  Popcorn-2026  "):
        assert refused(check_password, password, email).message == \
            "Password must not be your email address."


def test_a_password_that_contains_the_local_part_is_fine():
    check_password("popcorn-2026!", "popcorn-2026@example.com")
    check_password("Popcorn-2026", "ann@example.com")


# --- profile fields -----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["", "Europe/Paris", "UTC", "America/Argentina/Buenos_Aires"])
def test_known_time_zones_and_none_pass(name):
    check_timezone(name)


@pytest.mark.parametrize("name", ["Mars/Olympus", "europe/paris", "Europe/Paris "])
def test_unknown_time_zones_are_refused(name):
    error = refused(check_timezone, name)
    assert error.field == "timezone" and error.message == f"Unknown time zone {name!r}."


@pytest.mark.parametrize("tag", ["", "en", "fra", "en-US", "pt-BR"])
def test_language_tags_like_en_or_en_us_pass(tag):
    check_language(tag)


@pytest.mark.parametrize("tag", ["e", "engl", "EN", "en-us", "en-USA", "en_US", "en-", "-US",
                                 " en", "en ", "en-U", "1n"])
def test_other_language_tags_are_refused(tag):
    error = refused(check_language, tag)
    assert error.field == "preferred_language"
    assert error.message == "preferred_language must look like 'en' or 'en-US'."

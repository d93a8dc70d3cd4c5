"""Secrets out of text (timers._redact): what is remembered, how it is replaced, and how text
is flattened and cut.

Most tests start from an empty, private set of remembered secrets (``fresh_secrets``), so that
what other tests remembered in this process cannot change the outcome.
"""

from __future__ import annotations

import functools
import json
import sys
import unicodedata
from collections import OrderedDict
from typing import Any

import httpx
import pytest

from timers import _redact
from timers._redact import REDACTED, clean, quote, redact, redact_data, remember

SECRET = "s3cr3t-value"  # 12 characters


@pytest.fixture
def fresh_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_redact, "_secrets", OrderedDict())
    monkeypatch.setattr(_redact, "_forms_longest_first", None)


# --- remember and redact ----------------------------------------------------------------------


def test_nothing_is_redacted_before_anything_is_remembered(fresh_secrets: None) -> None:
    assert redact("plain s3cr3t-value") == "plain s3cr3t-value"


def test_a_remembered_value_is_redacted_wherever_it_appears(fresh_secrets: None) -> None:
    remember(SECRET)
    assert redact(f"a {SECRET} b {SECRET}") == f"a {REDACTED} b {REDACTED}"
    assert redact("no secret here") == "no secret here"


def test_values_remembered_later_are_redacted_too(fresh_secrets: None) -> None:
    remember("first-secret")
    assert redact("first-secret") == REDACTED  # builds the pattern
    remember("second-secret")
    assert redact("first-secret second-secret") == f"{REDACTED} {REDACTED}"
    remember("first-secret", "second-secret")  # nothing new
    assert redact("second-secret") == REDACTED


def test_one_new_value_among_known_ones_is_remembered(fresh_secrets: None) -> None:
    remember("known-secret")
    remember("known-secret", "new-secret")
    assert redact("new-secret") == REDACTED


def test_a_four_character_value_is_a_secret_and_a_three_character_one_is_not(
    fresh_secrets: None,
) -> None:
    remember("abcd", "xyz")
    assert redact("abcd xyz") == f"{REDACTED} xyz"
    assert list(_redact._secrets) == ["abcd"]


def test_the_longest_secret_is_replaced_first(fresh_secrets: None) -> None:
    # The short one first, so that order of remembering cannot be what makes this pass; the
    # short one starts the long one, so both match at the same place.
    remember("tok-1234", "tok-1234-more")
    assert redact("x tok-1234-more y") == f"x {REDACTED} y"
    remember("Bearer tok-1234")
    assert redact("Authorization: Bearer tok-1234") == f"Authorization: {REDACTED}"


def test_secrets_are_matched_literally(fresh_secrets: None) -> None:
    remember("a.b*c")
    assert redact("a.b*c axbbc") == f"{REDACTED} axbbc"


def test_the_256_most_recent_secrets_are_kept(fresh_secrets: None) -> None:
    values = [f"secret-{i:04d}" for i in range(257)]
    remember(*values[:256])
    assert redact(values[0]) == REDACTED
    remember(values[256])  # one too many: the oldest is forgotten
    assert redact(values[0]) == values[0]
    assert redact(values[1]) == REDACTED and redact(values[256]) == REDACTED
    assert len(_redact._secrets) == 256


def test_remembering_a_value_again_makes_it_the_most_recent(fresh_secrets: None) -> None:
    values = [f"secret-{i:04d}" for i in range(257)]
    remember(*values[:256])
    remember(values[0])  # sent again: now the most recent
    remember(values[256])
    assert redact(values[0]) == REDACTED and redact(values[1]) == values[1]


def test_the_limit_counts_forms_and_a_value_s_forms_go_together(fresh_secrets: None) -> None:
    spaced = [f"Bearer tok-{i:03d}" for i in range(86)]  # each: as is, %20 and + (3 forms)
    remember(*spaced[:85])  # 255 forms
    remember("one-more")  # 256
    assert redact(spaced[0]) == REDACTED and redact("one-more") == REDACTED
    remember(spaced[85])  # 259: the oldest value goes, with all three of its forms
    assert [redact(form) for form in ("Bearer tok-000", "Bearer%20tok-000", "Bearer+tok-000")] == [
        "Bearer tok-000",
        "Bearer%20tok-000",
        "Bearer+tok-000",
    ]
    assert redact("Bearer+tok-001") == REDACTED and redact("Bearer%20tok-085") == REDACTED
    assert sum(map(len, _redact._secrets.values())) == 256


def test_a_value_too_short_to_be_a_secret_does_not_stop_the_others(fresh_secrets: None) -> None:
    remember("abc", "long-enough-secret")
    assert redact("abc long-enough-secret") == f"abc {REDACTED}"


def test_as_many_old_values_go_as_the_new_one_s_forms_need(fresh_secrets: None) -> None:
    singles = [f"single-{i:04d}" for i in range(256)]  # one form each: 256 in all
    remember(*singles)
    remember("Bearer three-forms")  # as is, %20 and +: three older values must go
    assert [redact(value) for value in singles[:4]] == [*singles[:3], REDACTED]
    assert sum(map(len, _redact._secrets.values())) == 256


def test_a_request_s_credentials_are_remembered_whole_and_after_their_scheme(
    fresh_secrets: None,
) -> None:
    import httpx

    from timers._redact import remember_sent

    remember_sent(
        httpx.Request(
            "GET", "https://example.org", headers={"Authorization": "Scheme part-one part-two"}
        )
    )
    assert redact("Scheme part-one part-two / part-one part-two") == f"{REDACTED} / {REDACTED}"
    remember_sent(httpx.Request("GET", "https://example.org"))  # none: nothing remembered
    assert list(_redact._secrets) == ["Scheme part-one part-two", "part-one part-two"]


# --- redact_data ------------------------------------------------------------------------------


def nested_lists(depth: int, leaf: Any) -> Any:
    for _ in range(depth):
        leaf = [leaf]
    return leaf


def nested_dicts(depth: int, leaf: Any) -> Any:
    for _ in range(depth):
        leaf = {"k": leaf}
    return leaf


def test_data_is_redacted_in_keys_and_values(fresh_secrets: None) -> None:
    remember(SECRET)
    data = {SECRET: [SECRET, 1, None, {"x": f"<{SECRET}>"}], 2: True}
    assert redact_data(data) == {
        REDACTED: [REDACTED, 1, None, {"x": f"<{REDACTED}>"}],
        "2": True,
    }


@pytest.mark.parametrize("nested", [nested_lists, nested_dicts])
def test_data_is_kept_to_64_levels_of_nesting(nested: Any) -> None:
    deepest = nested(64, "leaf")
    assert redact_data(deepest) == deepest
    assert redact_data(nested(65, "leaf")) == nested(64, "[nested too deep]")


def test_mixed_nesting_counts_every_level() -> None:
    data: Any = "leaf"
    for i in range(65):
        data = [data] if i % 2 else {"k": data}
    result = redact_data(data)
    for _ in range(64):
        result = result[0] if isinstance(result, list) else result["k"]
    assert result == "[nested too deep]"


# --- clean ------------------------------------------------------------------------------------


def test_control_characters_are_shown_as_escapes() -> None:
    assert clean("a\x00b\x1bc\x7fd\x9fe") == "a\\x00b\\x1bc\\x7fd\\x9fe"
    assert clean("a\u200bb\u2028c\u202ed\u2066e\u2069f") == (
        "a\\u200bb\\u2028c\\u202ed\\u2066e\\u2069f"
    )
    assert clean("\u0100\u00e9") == "\u0100\u00e9"  # not controls


def test_whitespace_runs_become_one_space_and_ends_are_stripped() -> None:
    assert clean("  a \t\n\r b\n") == "a b"


def test_text_is_cut_to_300_characters_by_default() -> None:
    assert clean("a" * 300) == "a" * 300
    assert clean("a" * 301) == "a" * 297 + "..."


def test_text_is_cut_to_the_limit_with_an_ellipsis() -> None:
    assert clean("abcdef", 6) == "abcdef"
    assert clean("abcdefg", 6) == "abc..."
    assert clean("abcdef", 4) == "a..."
    assert clean("abcdef", 3) == "..."
    assert clean("abcdef", 1) == "..."


def test_secrets_are_redacted_before_cutting(fresh_secrets: None) -> None:
    remember(SECRET)
    assert clean(f"x {SECRET}", 12) == "x [redacted]"


LIMIT = 40
SCAN = 4 * LIMIT + 1024  # the most characters clean() looks at


def scanned_tail(tail: str, *, beyond: str = "Z", length: int | None = None) -> str:
    """What clean(text, LIMIT) shows of ``tail`` when ``tail`` ends exactly where the scan
    stops (``beyond`` follows it, unscanned), after a long run of spaces that collapses."""
    size = SCAN if length is None else length
    text = "A" + " " * (size - 1 - len(tail)) + tail + beyond
    return clean(text, LIMIT)


def test_only_the_first_characters_of_a_huge_text_are_scanned(fresh_secrets: None) -> None:
    assert scanned_tail("tail") == "A tail"  # SCAN + 1 characters: the last is not looked at
    assert scanned_tail("tailZ", beyond="") == "A tailZ"  # exactly SCAN characters: all of them
    assert scanned_tail("tail", beyond="Z" * 500) == "A tail"


def test_a_secret_cut_at_the_end_of_the_scan_leaves_no_prefix(fresh_secrets: None) -> None:
    remember(SECRET)
    assert scanned_tail(SECRET[:-1]) == "A"
    assert scanned_tail(SECRET[:-2]) == "A"
    assert scanned_tail(SECRET[:1]) == "A"
    assert scanned_tail("ok " + SECRET[:5]) == "A ok"


def test_a_whole_secret_at_the_end_of_the_scan_is_redacted_not_dropped(
    fresh_secrets: None,
) -> None:
    remember(SECRET)
    assert scanned_tail(SECRET) == f"A {REDACTED}"


def test_a_secret_prefix_is_kept_when_the_text_was_not_cut(fresh_secrets: None) -> None:
    remember(SECRET)
    assert scanned_tail("ok s", beyond="") == "A ok s"  # exactly SCAN characters
    assert scanned_tail("ok s", beyond="", length=1100) == "A ok s"


def test_every_secret_prefix_at_the_cut_is_removed(fresh_secrets: None) -> None:
    remember(SECRET, "other-secret")
    assert scanned_tail("keep " + "ot" + "s3cr") in ("A keep", "A keep ot")
    assert scanned_tail("keep " + "s3cr" + "ot") == "A keep s3cr"


# --- quote ------------------------------------------------------------------------------------


def test_a_string_is_quoted_escaped_and_cut_to_80_characters() -> None:
    assert quote("a\nb") == "'a\\nb'"
    # What a value holds shows: a stray space or carriage return, an invisible character.
    assert quote(" x\r") == "' x\\r'"
    assert quote("a\u202eb\u200b") == "'a\\u202eb\\u200b'"
    assert quote("it's") == '"it\'s"'
    assert quote("it's" * 30, 10) == "\"it'sit'...\""
    assert quote("a" * 80) == repr("a" * 80)
    assert quote("a" * 81) == repr("a" * 77 + "...")
    assert quote("abcdefgh", 5) == "'ab...'"
    assert quote("abcdefgh", 3) == quote("abcdefgh", 1) == "'...'"  # never a character more


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("aaaa\x1bbccccccccc", "'aaaa...'"),  # the cut would leave '\x1'
        ("aaaaa\x1bccccccccc", "'aaaaa...'"),  # ... '\x'
        ("aaaaaa\nccccccccc", "'aaaaaa...'"),  # ... a lone backslash
        ("aaaaa\u202eccccccc", "'aaaaa...'"),  # ... '\u'
        ("aaaaa\\ccccccccc", "'aaaaa\\\\...'"),  # an escaped backslash whole: kept
        ("aaaa\\\x1bccccccc", "'aaaa\\\\...'"),  # kept, and the '\' after it cut
        ("aaa\x1bcccccccccc", "'aaa\\x1b...'"),  # a whole escape: kept
    ],
)
def test_a_cut_never_splits_an_escape(value: str, shown: str) -> None:
    assert quote(value, 10) == shown


def test_another_value_is_its_cleaned_repr_cut_to_80_characters() -> None:
    assert quote(None) == "None"
    assert quote(42) == "42"
    assert quote(["a" * 100]) == ("['" + "a" * 100)[:77] + "..."
    assert quote(b"x" * 10, 6) == "b'x..."


def test_a_quoted_value_never_holds_a_secret(fresh_secrets: None) -> None:
    remember(SECRET)
    assert quote(SECRET) == repr(REDACTED)
    assert quote({"token": SECRET}) == "{'token': '[redacted]'}"


def test_a_secret_is_redacted_percent_encoded_too(fresh_secrets: None) -> None:
    remember("Ab/cd+EF=gh é")
    # As httpx sends it back in a query (a page marker echoing the token), and as quote() does.
    sent = str(httpx.Request("GET", "https://h/x", params={"marker": "Ab/cd+EF=gh é"}).url)
    assert redact(sent) == f"https://h/x?marker={REDACTED}"
    assert redact("Ab%2Fcd%2BEF%3Dgh%20%C3%A9") == REDACTED
    assert redact("Ab/cd+EF=gh é") == REDACTED
    # "/" left as it is, as httpx before 0.25 and other clients send a query value.
    assert redact("Ab/cd%2BEF%3Dgh%20%C3%A9") == REDACTED
    assert redact("Ab/cd%2BEF%3Dgh+%C3%A9") == REDACTED
    assert redact("Ab%2Fcd%2BEF%3Dgh+%C3%A9") == REDACTED


@pytest.mark.parametrize(
    "echoed",
    [
        "Ab%2fcd%2bEF%3dgh%20%c3%a9",  # lower-case hex
        "Ab%2Fcd%2bEF%3Dgh%20%C3%a9",  # mixed
        "%41%62%2F%63%64%2B%45%46%3D%67%68%20%C3%A9",  # every character encoded
        "%41b/cd+EF=gh+é",  # some, a space as +
        "QWIvY2QrRUY9Z2ggw6k=",  # base64
        "QWIvY2QrRUY9Z2ggw6k",  # unpadded
    ],
)
def test_a_secret_is_redacted_in_any_percent_encoding_and_in_base64(
    fresh_secrets: None, echoed: str
) -> None:
    remember("Ab/cd+EF=gh é")
    assert redact(f"<{echoed}>") == f"<{REDACTED}>"


def test_only_the_encoded_secret_is_cut_out_of_a_word(fresh_secrets: None) -> None:
    remember("Ab/cd+EF=gh é")
    encoded = "Ab%2fcd%2bEF%3dgh%20%c3%a9"
    assert redact(f"q=x%e2%82{encoded}y&r=%2F") == f"q=x%e2%82{REDACTED}y&r=%2F"
    assert redact(f"{encoded}{encoded}") == REDACTED  # both, merged
    assert redact(encoded[:-3]) == encoded[:-3]  # not the whole secret


def test_every_encoded_echo_in_one_word_is_cut_out(fresh_secrets: None) -> None:
    remember("Ab/cd+EF=gh é")
    encoded = "Ab%2fcd%2bEF%3dgh%20%c3%a9"
    assert redact(f"a={encoded}&b={encoded}") == f"a={REDACTED}&b={REDACTED}"


def test_an_invalid_byte_before_an_encoded_secret_leaves_none_of_it(fresh_secrets: None) -> None:
    remember("Ab/cd+EF=gh é")
    assert redact("%C3%41b%2fcd%2bEF%3dgh%20%c3%a9") == f"%C3{REDACTED}"


def test_a_base64_secret_percent_encoded_is_redacted(fresh_secrets: None) -> None:
    remember("tok???>>>")  # base64 dG9rPz8/Pj4+, sent in a query: "/" and "+" encoded
    assert redact("q=dG9rPz8%2FPj4%2b&x") == f"q={REDACTED}&x"


def test_a_value_too_short_to_be_a_secret_is_not_looked_for_decoded(fresh_secrets: None) -> None:
    remember("é")  # kept for its encoded forms (4 characters or more) only
    assert redact("caf%20é and Zg") == "caf%20é and Zg"  # not in a decoded word, nor "w6k"


def test_a_huge_word_in_a_text_with_an_escape_is_scanned_once(fresh_secrets: None) -> None:
    # Each word is decoded on its own: a pattern that could start anywhere in a long word
    # took quadratic time (16,000 characters: 1.3 s; this would outlast the test timeout).
    remember(SECRET)
    text = "width:100% " + "x" * 2_000_000
    assert redact(text) == text


def test_the_last_word_of_a_huge_cut_text_is_found_in_one_pass(fresh_secrets: None) -> None:
    # A pattern anchored at the end tried every start in a long word followed by a space
    # (9,000 characters: 1 s; this would outlast the test timeout).
    remember(SECRET)
    text = "x" * 1_000_000 + " "
    assert _redact._without_secret_prefix_at_end(text) == text
    assert _redact._without_secret_prefix_at_end(f"a {SECRET[:5]}") == "a "
    assert _redact._without_secret_prefix_at_end("a s3%63r%33") == "a "  # "s3cr3" encoded


@pytest.mark.parametrize("padding", [0, 600], ids=["short text", "long text"])
def test_two_secrets_that_overlap_in_a_text_are_redacted_whole(
    fresh_secrets: None, padding: int
) -> None:
    # The end of one is the start of the other: replacing one first left a part of the other
    # (the longer first: "key-AAAA-" of the shorter; the first found: most of the longer).
    remember("key-AAAA-BBBB", "BBBB-CCCC-DDDD-EEEE")
    pad = "x" * padding
    assert redact(f"{pad} key-AAAA-BBBB-CCCC-DDDD-EEEE.") == f"{pad} {REDACTED}."
    assert redact(f"{pad} key-AAAA-BBBB key-AAAA-BBBB") == f"{pad} {REDACTED} {REDACTED}"


@pytest.mark.parametrize(
    "sent", ["abcd1234%77xyz", "%61bcd1234wxyz", "%61bcd1234%77xyz", "abcd1234wxyz"]
)
def test_two_overlapping_secrets_are_redacted_whole_when_either_is_encoded(
    fresh_secrets: None, sent: str
) -> None:
    # Encoded parts were looked for in the text left after the others were replaced: half of
    # one secret stayed in view ("[redacted]%77xyz" is "wxyz" of the second).
    remember("abcd1234", "1234wxyz")
    assert redact(f"x {sent} y") == f"x {REDACTED} y"
    assert redact(f"{'x' * 600} {sent} y") == f"{'x' * 600} {REDACTED} y"


def test_a_long_text_holding_a_secret_many_times_is_redacted_in_one_pass(
    fresh_secrets: None,
) -> None:
    # Replacing each place in turn copied the whole text each time: 2 MB with 50,000 places
    # took 6 s, and this (16 MB, 400,000 places) would outlast the test timeout many times.
    remember(SECRET)
    text = f"echo {SECRET} " * 400_000
    assert redact(text) == f"echo {REDACTED} " * 400_000


def test_the_token_of_a_header_with_spaces_after_its_scheme_is_remembered_on_its_own(
    fresh_secrets: None,
) -> None:
    _redact.remember_header("Bearer   s3cret-token-99")
    assert redact("id=s3cret-token-99") == f"id={REDACTED}"
    _redact.remember_header("Bearer Xs3cret-token-X")  # only spaces are trimmed
    assert redact("id=Xs3cret-token-X") == f"id={REDACTED}"


@pytest.mark.parametrize("padding", [0, 600], ids=["short text", "long text"])
def test_every_place_of_every_secret_is_redacted(fresh_secrets: None, padding: int) -> None:
    pad = "x" * padding
    # A secret that starts another (the longer must win where both start), one that starts
    # inside another and reaches past it by one character, and one that overlaps itself.
    remember("s3cr3t-value", "s3cr3t-value-and-more", "qabcdefgh", "abcdefgh-more", "zzzzzzzz")
    assert redact(f"{pad} s3cr3t-value-and-more.") == f"{pad} {REDACTED}."
    assert redact(f"{pad} qabcdefgh-more.") == f"{pad} {REDACTED}."
    assert redact(f"{pad} zzzzzzzzz.") == f"{pad} {REDACTED}."
    three = f"{pad} s3cr3t-value, s3cr3t-value and s3cr3t-value."
    assert redact(three) == f"{pad} {REDACTED}, {REDACTED} and {REDACTED}."


def test_a_secret_is_redacted_in_a_text_whose_other_words_are_percent_encoded(
    fresh_secrets: None,
) -> None:
    remember(SECRET)
    assert redact(f"{SECRET} then %41%42") == f"{REDACTED} then %41%42"
    assert redact(f"{'x' * 600} {SECRET} %41") == f"{'x' * 600} {REDACTED} %41"


def test_a_header_is_redacted_whole_in_each_form_a_url_may_carry_it(fresh_secrets: None) -> None:
    _redact.remember_header("Bearer ab/cd-SECRET-1")
    for sent in ("Bearer+ab/cd-SECRET-1", "Bearer%20ab%2Fcd-SECRET-1", "Bearer%20ab/cd-SECRET-1"):
        assert redact(f"x {sent} y") == f"x {REDACTED} y", sent


def test_only_the_whole_base64_of_a_secret_is_redacted_not_a_shorter_part(
    fresh_secrets: None,
) -> None:
    remember("tok-b64-xaaW")  # base64 "dG9rLWI2NC14YWFX", no padding, ends in X
    assert redact("dG9rLWI2NC14YWFX") == REDACTED
    assert redact("dG9rLWI2NC14YWFY") == "dG9rLWI2NC14YWFY"


def test_a_one_character_encoded_start_of_a_secret_is_cut_from_the_end(
    fresh_secrets: None,
) -> None:
    remember("/abc-SECRET-123")  # "/" is sent as %2F, or %2f (decoded to be found)
    cut = _redact._without_secret_prefix_at_end
    assert (cut("%2f"), cut("see %2f"), cut('see "%2f')) == ("", "see ", 'see "')
    # A last word that holds an escape but no start of a secret is kept whole.
    assert (cut("100%25"), cut("width 100%25")) == ("100%25", "width 100%25")


def test_the_pattern_of_every_form_is_compiled_once_for_the_same_secrets(
    fresh_secrets: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_redact, "_pattern", None)
    remember(SECRET)
    long_text = "x" * 600 + SECRET
    assert redact(long_text) == "x" * 600 + REDACTED
    compiled = _redact._pattern
    assert compiled is not None  # a long text is searched with one pattern
    assert redact(long_text) == "x" * 600 + REDACTED
    assert _redact._pattern is compiled  # not compiled again
    remember("an0ther-secret")
    assert redact(long_text + " an0ther-secret") == "x" * 600 + f"{REDACTED} {REDACTED}"
    assert _redact._pattern is not compiled  # a new secret: a new pattern


def test_no_part_of_an_encoded_secret_shows_where_a_long_text_is_cut(
    fresh_secrets: None,
) -> None:
    token = "Ab/cd+EF=gh-0123456789abcdefXYZ"
    remember(token)
    every_byte = "".join(f"%{byte:02x}" for byte in token.encode())
    for echoed in ("QWIvY2QrRUY9Z2gtMDEyMzQ1Njc4OWFiY2RlZlhZWg", every_byte):
        for start in range(0, 60, 7):  # the scan's cut falls anywhere in an echo
            shown = clean("x" * start + echoed * 200, 300)  # each echo shown in 10 characters
            assert REDACTED in shown
            assert not any(echoed[i : i + 8] in shown for i in range(len(echoed) - 8)), shown


def test_an_encoded_secret_ending_in_plain_characters_is_cut_exactly(fresh_secrets: None) -> None:
    remember("Abcdefgh-rest")
    assert redact("q=%41bcdefgh-rest&y=%41") == f"q={REDACTED}&y=%41"
    remember("wxyz")  # four characters: a secret, looked for decoded too
    assert redact("a=%77xyz&b") == f"a={REDACTED}&b"


def test_a_secret_of_four_characters_is_looked_for_in_base64_too(fresh_secrets: None) -> None:
    remember("abcd")
    assert redact("x YWJjZA== y YWJjZA z") == f"x {REDACTED} y {REDACTED} z"


def test_only_the_secret_s_own_characters_match_encoded(fresh_secrets: None) -> None:
    remember("Zq7-xy_9")
    assert redact("Zq7-xy_9") == REDACTED
    assert redact("Zq7-xy_8 %5Aq7-xy_8 Zq7%2Dxy_") == "Zq7-xy_8 %5Aq7-xy_8 Zq7%2Dxy_"
    assert redact("WnE3LXh5Xzk=") == REDACTED  # base64
    assert redact("WnE3LXh5Xzg=") == "WnE3LXh5Xzg="  # of "Zq7-xy_8"
    assert redact("Zq7 xy_9 Zq7+xy_9") == "Zq7 xy_9 Zq7+xy_9"  # "+" stands for a space only


def test_a_url_safe_base64_secret_is_redacted(fresh_secrets: None) -> None:
    remember("t?>>~~??")
    assert redact("x dD8-Pn5-Pz8 y") == f"x {REDACTED} y"
    assert redact("x dD8+Pn5+Pz8 y") == f"x {REDACTED} y"


def test_a_secret_with_nothing_to_encode_is_remembered_once(fresh_secrets: None) -> None:
    remember("plain-token-1234")
    assert list(_redact._secrets) == ["plain-token-1234"]


@pytest.mark.parametrize(
    ("char", "shown"),
    [
        ("\u00ad", "\\xad"),  # soft hyphen
        ("\u061c", "\\u061c"),  # Arabic letter mark (bidi)
        ("\u180e", "\\u180e"),
        ("\u2060", "\\u2060"),  # word joiner
        ("\u2064", "\\u2064"),
        ("\u206f", "\\u206f"),
        ("\ufeff", "\\ufeff"),  # zero-width no-break space (BOM)
        ("\ufffb", "\\ufffb"),
        ("\U000e0041", "\\U000e0041"),  # a tag character
        ("\U000e007f", "\\U000e007f"),
    ],
)
def test_invisible_and_reordering_characters_are_shown_as_escapes(char: str, shown: str) -> None:
    assert clean(f"a{char}b") == f"a{shown}b"


@functools.cache
def unseen_characters() -> str:
    """Every character of Unicode's control, format, surrogate and line or paragraph separator
    categories, as this Python's ``unicodedata`` knows them (tab, newline and carriage return
    aside: ``clean`` makes them spaces)."""
    categories = {"Cc", "Cf", "Cs", "Zl", "Zp"}
    found = (chr(c) for c in range(sys.maxunicode + 1))
    return "".join(c for c in found if unicodedata.category(c) in categories and c not in "\t\n\r")


def test_every_control_format_surrogate_and_separator_character_is_shown_as_an_escape() -> None:
    unseen = unseen_characters()
    assert len(unseen) > 2000 and "\ud800" in unseen and "\U000110bd" in unseen
    shown = clean(unseen, limit=len(unseen) * 10)
    assert [c for c in shown if c in unseen] == []
    assert shown.count("\\") == len(unseen)  # each one escaped, none dropped


def test_json_output_escapes_every_character_clean_escapes() -> None:
    from timers.cli._output import dumps

    unseen = unseen_characters()
    # One apart: JSON reads the escapes of a high and a low surrogate in a row as one character.
    text = " ".join(unseen)
    written = dumps({"text": text}, pretty=False)
    assert [c for c in written if c in unseen] == []
    assert json.loads(written)["text"] == text


def test_visible_characters_next_to_the_invisible_ones_are_kept() -> None:
    text = "\u00ac\u00ae\u061b\u061d\u205f\u2070\ufefe\ufffc\U000e0080"
    assert clean(f"a{text}b") == f"a{text}b"


def test_a_value_that_cannot_be_shown_is_quoted_by_its_type() -> None:
    class Unprintable:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    assert quote(10**5000) == "<int that cannot be shown>"
    assert quote(Unprintable()) == "<Unprintable that cannot be shown>"

"""Safe text out of untrusted data: secrets removed, one line, control characters visible,
length bounded.

Every credential a client sends (the bare token and the whole ``Authorization`` value, also
an authorizer's latest header) is remembered here, and ``clean`` removes all of them from any
text made of server-provided data: error messages, logs, CLI output. A server (or proxy)
that echoes the header back therefore cannot put the token into ``str(error)`` or a terminal,
as it is, percent-encoded in any way, or in base64.
Remembering is process-wide on purpose: redacting every known credential from every message
is strictly safer than each client redacting only its own. The most recently sent are kept
(``_MAX_REMEMBERED`` forms), and a client's are remembered again when its answer arrives, so
many clients in one process cannot push out the credentials of an answer being read.
"""

from __future__ import annotations

import codecs
import functools
import os
import re
import threading
from base64 import b64encode, urlsafe_b64encode
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any, NamedTuple
from urllib.parse import quote as quote_url
from urllib.parse import quote_plus

__all__ = [
    "REDACTED",
    "UNSEEN",
    "clean",
    "quote",
    "redact",
    "redact_data",
    "remember",
    "remember_header",
    "remember_sent",
]

REDACTED = "[redacted]"
_MAX_REMEMBERED = 256
_MIN_SECRET = 4  # shorter values would redact ordinary words
_lock = threading.Lock()
_secrets: OrderedDict[str, tuple[str, ...]] = OrderedDict()  # a secret -> its forms, oldest first
# What redact() looks for (see _looked_for), made again when a secret is remembered.
_forms_longest_first: _LookedFor | None = None

# Every character of Unicode's categories Cc (DEL and the C1 controls; C0 comes below), Cf
# (format characters that reorder or hide text: bidi marks, zero widths, the soft hyphen, the
# BOM, tags, ...), Cs (a lone surrogate, as JSON's "\ud800" decodes to: no UTF-8 output can
# take it), Zl and Zp (line and paragraph separators), as of Unicode 14 (Python 3.11); also
# the tag block and the hieroglyph format controls of Unicode 15 whole. A test checks the
# list against unicodedata.
UNSEEN = (
    "\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f"
)
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f{UNSEEN}]")  # tab and newline: made spaces first
_SPACE = re.compile(r"[ \t\n\r]+")
# Backslashes at the end of a cut repr(), and what a \x, \u or \U escape after them had
# of its hex digits before the cut.
_ESCAPE_AT_END = re.compile(r"(\\+)(?:x[0-9a-f]?|u[0-9a-f]{0,3}|U[0-9a-f]{0,7})?\Z")


def _new_lock_after_fork() -> None:
    """In a forked child: a lock of its own (another thread of the parent may have held this
    one at the fork, and nobody would release it in the child)."""
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_new_lock_after_fork)


def remember(*values: str) -> None:
    """Treat each value as a secret from now on. The most recently remembered are kept (up to
    ``_MAX_REMEMBERED`` forms); remembering a value again makes it the most recent, so a
    client's credentials, remembered on each request and again when its answer arrives, are
    not pushed out by other clients' traffic while that answer is being read."""
    global _forms_longest_first
    with _lock:
        for value in values:
            if value in _secrets:
                _secrets.move_to_end(value)
                continue
            # As sent back in a URL too (a marker echoing the token): percent-encoded, with a
            # "/" encoded or not (other HTTP clients, and httpx before 0.25, leave it in a query).
            forms = (
                value,
                quote_url(value, safe=""),
                quote_plus(value),
                quote_url(value, safe="/"),
                quote_plus(value, safe="/"),
            )
            kept = tuple(form for form in dict.fromkeys(forms) if len(form) >= _MIN_SECRET)
            if not kept:
                continue
            _secrets[value] = kept
            forms_kept = sum(map(len, _secrets.values()))
            while forms_kept > _MAX_REMEMBERED:
                forms_kept -= len(_secrets.popitem(last=False)[1])
            _forms_longest_first = None


def remember_header(header: str) -> None:
    """Remember an ``Authorization`` value: whole, and what follows its scheme (the token)."""
    remember(header, header.partition(" ")[2].strip(" ") or header)


def remember_sent(request: Any) -> None:
    """Remember the credentials an ``httpx.Request`` carried once more, before anything is
    made of its answer: other clients' requests may have pushed them out while it was awaited
    and read."""
    header = request.headers.get("authorization")
    if header:
        remember_header(header)


def _all_forms() -> list[str]:
    """Every form of every remembered secret (the caller holds ``_lock``)."""
    return list(dict.fromkeys(form for forms in _secrets.values() for form in forms))


def _base64_forms(value: str) -> set[str]:
    """``value`` in base64, standard and URL-safe, with its padding and without (none for a
    value shorter than a secret can be: its base64 would match ordinary text)."""
    if len(value) < _MIN_SECRET:
        return set()
    raw = value.encode()  # never a lone surrogate: remember's quote() refuses one first
    padded = {encode(raw).decode() for encode in (b64encode, urlsafe_b64encode)}
    return padded | {form.rstrip("=") for form in padded}


class _LookedFor(NamedTuple):
    """What ``redact`` looks for, made again when a secret is remembered."""

    forms: tuple[str, ...]  # every form (base64 too), longest first: "Bearer tok" before "tok"
    decoded: tuple[str, ...]  # what a percent-decoded word may hold: values and their base64


# A text of up to this many characters is searched one form at a time (a few microseconds
# even for hundreds of forms); a longer one in one pass of a pattern of every form, compiled
# on first need after each new secret (3.5 ms for a hundred tokens: with a client per user,
# compiling it for every log line after every new token cost seconds).
_SEARCHED_ONE_BY_ONE = 512
# (its forms, the pattern, how far into each form found another may start: _overlap_offset)
_pattern: tuple[tuple[str, ...], re.Pattern[str], dict[str, int]] | None = None


def _looked_for() -> _LookedFor:
    global _forms_longest_first
    cached = _forms_longest_first
    if cached is None:
        with _lock:
            values = [value for value in _secrets if len(value) >= _MIN_SECRET]
            encoded = {form for value in values for form in _base64_forms(value)}
            forms = tuple(sorted({*_all_forms(), *encoded}, key=len, reverse=True))
            cached = _forms_longest_first = _LookedFor(forms, (*values, *encoded))
    return cached


def _pattern_of(forms: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, int]]:
    global _pattern
    cached = _pattern
    if cached is None or cached[0] is not forms:
        cached = _pattern = (forms, re.compile("|".join(map(re.escape, forms))), {})
    return cached[1], cached[2]


def redact(text: str) -> str:
    """``text`` with every remembered secret replaced by ``[redacted]``: as it is, in base64,
    or percent-encoded in any way (lower-case hex, every character encoded, a space as
    ``+``, base64 percent-encoded)."""
    if not _secrets:
        return text
    looked_for = _looked_for()
    # Every place a secret is found, in any form, is cut from the text as it came; places
    # that overlap (the end of one secret the start of another, one as it is and the other
    # encoded) are cut as one, so that no part of either shows.
    if len(text) > _SEARCHED_ONE_BY_ONE:
        cuts = _places_of_any(text, looked_for.forms)
    else:
        cuts = [cut for form in looked_for.forms if form in text for cut in _places(text, form)]
    if "%" in text:
        for word in _WORD.finditer(text):
            if "%" in word.group():
                at = word.start()
                found = _decoded_places(word.group(), looked_for.decoded)
                cuts += [(at + start, at + end) for start, end in found]
    return _replaced(text, cuts) if cuts else text


# The words of a text (a secret is never split by these) and percent-escapes in them.
_WORD = re.compile(r"[^\s\"<>]+")
_ESCAPE = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def _places(text: str, form: str) -> Iterator[tuple[int, int]]:
    """Where ``form`` is in ``text`` (overlapping places too), as (start, end)."""
    at = text.find(form)
    while at >= 0:
        yield at, at + len(form)
        at = text.find(form, at + 1)


def _places_of_any(text: str, forms: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where any of ``forms`` (longest first) is in ``text``, as (start, end), those that
    overlap too: after each place found, the search goes on from where another form could
    start inside it and reach past its end (for a random token: nowhere, so after it)."""
    pattern, offsets = _pattern_of(forms)
    places = []
    at = 0
    while (found := pattern.search(text, at)) is not None:
        places.append(found.span())
        form = found.group()
        offset = offsets.get(form)
        if offset is None:  # (computed twice at worst by two threads: the same value)
            offset = offsets[form] = _overlap_offset(form, forms)
        at = found.start() + offset
    return places


def _overlap_offset(form: str, forms: tuple[str, ...]) -> int:
    """The first offset in ``form`` where another of ``forms`` may start and reach past its
    end (its length when none can: one that ends within it is cut with it anyway)."""
    for offset in range(1, len(form)):
        tail = form[offset:]
        if any(len(other) > len(tail) and other.startswith(tail) for other in forms):
            return offset
    return len(form)


def _decoded_places(word: str, secrets: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where in ``word`` a part percent-decodes to one of ``secrets``, as (start, end)."""
    if _ESCAPE.search(word) is None:
        return []
    decoded, ends = _decoded(word)
    return [
        (ends[found.start() - 1] if found.start() else 0, ends[found.end() - 1])
        for secret in secrets
        for found in _decoded_pattern(secret).finditer(decoded)
    ]


def _replaced(text: str, cuts: list[tuple[int, int]]) -> str:
    """``text`` with each of the ``cuts`` (start, end) replaced by ``REDACTED``, those that
    overlap or touch as one (in one pass: a text may hold thousands)."""
    pieces: list[str] = []
    at = 0
    for start, end in _merged(cuts):
        pieces += (text[at:start], REDACTED)
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


@functools.lru_cache(maxsize=_MAX_REMEMBERED)
def _decoded_pattern(secret: str) -> re.Pattern[str]:
    """``secret`` in decoded text, where a space may have been sent as ``+`` (quote_plus)."""
    return re.compile(re.escape(secret).replace(r"\ ", "[ +]"))


def _decoded(word: str) -> tuple[str, list[int]]:
    """``word`` percent-decoded (UTF-8), and where in ``word`` each decoded character ends."""
    chars: list[str] = []
    ends: list[int] = []
    at = 0
    for escaped in _ESCAPE.finditer(word):
        for i in range(at, escaped.start()):
            chars.append(word[i])
            ends.append(i + 1)
        # Byte by byte: a character ends with the escape of the byte that completed it.
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        for k, byte in enumerate(bytes.fromhex(escaped.group().replace("%", ""))):
            out = decoder.decode(bytes((byte,)))
            for i, char in enumerate(out):
                # Two at once: the first replaces bytes that this one showed to be invalid.
                chars.append(char)
                ends.append(escaped.start() + 3 * (k + 1 if i == len(out) - 1 else k))
        for char in decoder.decode(b"", final=True):  # a sequence cut short
            chars.append(char)
            ends.append(escaped.end())
        at = escaped.end()
    for i in range(at, len(word)):
        chars.append(word[i])
        ends.append(i + 1)
    return "".join(chars), ends


def _merged(cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(cuts):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


_MAX_DEPTH = 64
_TOO_DEEP = "[nested too deep]"


def redact_data(data: Any, _depth: int = 0) -> Any:
    """``data`` (decoded JSON, or the dicts, lists and tuples of a ``to_dict()``) with secrets
    redacted from every string in it, keys too (made strings, as JSON has them), tuples made
    lists; what is nested deeper than ``_MAX_DEPTH`` levels is replaced by
    ``"[nested too deep]"``."""
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, dict | list | tuple) and _depth >= _MAX_DEPTH:
        return _TOO_DEEP
    if isinstance(data, dict):
        return {redact(str(k)): redact_data(v, _depth + 1) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [redact_data(item, _depth + 1) for item in data]
    return data


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def clean(text: str, limit: int = 300) -> str:
    """Server-provided ``text`` made safe to quote: secrets redacted, whitespace runs (newlines
    too) made one space, other control characters shown as ``\\xNN``, at most ``limit``
    characters (ending in ``...`` when cut)."""
    flat = _CONTROL.sub(_visible, _SPACE.sub(" ", redact(_scannable(text, limit)))).strip()
    return flat if len(flat) <= limit else flat[: max(limit - 3, 0)] + "..."


def _scannable(text: str, limit: int) -> str:
    """``text``, or only its start when it is far longer than the ``limit`` characters to be
    kept: megabytes are never scanned (nor repr'd) to keep a few hundred characters."""
    if len(text) > 4 * limit + 1024:
        return _without_secret_prefix_at_end(text[: 4 * limit + 1024])
    return text


def _without_secret_prefix_at_end(text: str) -> str:
    """``text`` cut where it was cut, minus any start of a secret left at its very end, in
    any of the forms ``redact`` finds (percent-encoded: decoded)."""
    with _lock:
        forms = _all_forms()
        forms += sorted({form for value in _secrets for form in _base64_forms(value)})
    for secret in forms:
        for size in range(min(len(secret) - 1, len(text)), 0, -1):
            if text.endswith(secret[:size]):
                text = text[:-size]
                break
    # Where the last word starts: after the last separator, looked for backwards (a pattern
    # of the last word, ending in \Z, would try every start: n²).
    separator = _SEPARATOR.search(text[::-1])
    start = len(text) - separator.start() if separator else 0
    if _ESCAPE.search(text, start):  # the start of a secret, encoded?
        word = _SPLIT_ESCAPE.sub("", text[start:])  # "%4" or "%": the cut split an escape
        decoded, ends = _decoded(word)
        secrets = _looked_for().decoded
        ends_with = (n for s in secrets for n in range(1, len(s)) if decoded.endswith(s[:n]))
        size = max(ends_with, default=0)
        kept = len(decoded) - size
        text = text[: start + (ends[kept - 1] if kept else 0)]
    return text


_SEPARATOR = re.compile(r"[\s\"<>]")  # what ends a _WORD
_SPLIT_ESCAPE = re.compile(r"%[0-9A-Fa-f]?\Z")


def quote(value: Any, limit: int = 80) -> str:
    """A value for a message: a string as its ``repr`` (secrets redacted; every character as
    it is, so a stray space, ``\r`` or invisible character shows, escaped), cut after
    ``limit`` characters; any other value as its cleaned, shortened ``repr``."""
    if isinstance(value, str):
        # repr() escapes what is not printable: one line, nothing raw.
        shown = repr(redact(_scannable(value, limit)))
        inner = shown[1:-1]
        if len(inner) <= limit:
            return shown
        cut = inner[: max(limit - 3, 0)]
        # Cut before an escape the cut would split ('\x1' would hide the very character):
        # an odd number of backslashes ends in one that starts an escape.
        if (split := _ESCAPE_AT_END.search(cut)) and len(split.group(1)) % 2:
            cut = cut[: split.end(1) - 1]
        return f"{shown[0]}{cut}...{shown[0]}"
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 (an int too long to print, a __repr__ that raises, ...)
        text = f"<{type(value).__name__} that cannot be shown>"
    return clean(text, limit)

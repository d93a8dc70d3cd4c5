"""What an error answer's body says: its decoded form, and the code, message, request id and
sub-errors read from whichever of the Globus services' error shapes it has."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from timers._redact import clean

__all__ = ["body_of", "parse_error_body"]


def body_of(response: httpx.Response, content: bytes | None) -> Any:
    """The body (``content`` as read, else the response's) as JSON, else as text, else None."""
    if content is None:
        try:
            content = response.content
        except httpx.ResponseNotRead:
            return None
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        pass
    try:
        return content.decode(response.encoding or "utf-8", errors="replace")
    except (LookupError, UnicodeError):  # a charset that is no text codec: "rot13", "idna"
        return content.decode("utf-8", errors="replace")


def parse_error_body(
    body: Any,
) -> tuple[str | None, str | None, str | None, list[dict[str, Any]]]:
    """Read ``(code, message, request_id, errors)`` from every error shape Globus services use.

    ``{"code", "message", "request_id", "errors"}`` (the spec's ``Error``),
    ``{"errors": [{"code", "message" | "title" | "detail"}]}``,
    ``{"detail": [{"loc", "msg", "type"}]}`` (FastAPI validation), ``{"detail": "text"}``,
    ``{"error": {"code", "detail" | "message"}}``, and non-JSON text (HTML, plain).
    """
    if isinstance(body, str):
        text = _text_message(body)
        return None, text, None, []
    if not isinstance(body, Mapping):
        return None, None, None, []
    code = _str_or_none(body.get("code"))
    message = _str_or_none(body.get("message"))
    request_id = _str_or_none(body.get("request_id"))
    errors: list[dict[str, Any]] = []

    raw_errors = body.get("errors")
    if isinstance(raw_errors, list):
        errors = [_sub_error(e) for e in raw_errors]
    detail = body.get("detail")
    if isinstance(detail, list):
        errors = errors or [_sub_error(e) for e in detail]
    elif isinstance(detail, str) and message is None:
        message = detail
    nested = body.get("error")
    if isinstance(nested, Mapping):
        code = code or _str_or_none(nested.get("code"))
        message = (
            message or _str_or_none(nested.get("message")) or _str_or_none(nested.get("detail"))
        )
    elif isinstance(nested, str) and message is None:
        message = nested

    if errors:
        code = code or _str_or_none(errors[0].get("code"))
        message = message or _str_or_none(errors[0].get("message"))
    return code, message, request_id, errors


def _sub_error(item: Any) -> dict[str, Any]:
    if not isinstance(item, Mapping):
        return {"message": str(item)}
    out = dict(item)
    if "message" not in out:
        text = item.get("title") or item.get("detail") or item.get("msg")
        if text is not None:
            out["message"] = str(text)
    if "msg" in item and "loc" in item and "location" not in out:
        loc = item["loc"]
        out["location"] = ".".join(map(str, loc)) if isinstance(loc, list) else str(loc)
    if "type" in item and "code" not in out:
        out["code"] = str(item["type"])
    return out


def _str_or_none(value: Any) -> str | None:
    """A text field as text: a string, or a number (``"code": 404``). Anything else (a list,
    an object, ``true``) is no text to quote: it stays in the error's ``body``."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _text_message(text: str) -> str | None:
    stripped = text.strip()
    if not stripped:
        return None
    if stripped.startswith("<"):
        # An HTML error page from a proxy: its <title> is the useful part.
        lower = stripped.lower()
        start, end = lower.find("<title>"), lower.find("</title>")
        if 0 <= start < end:
            return clean(stripped[start + 7 : end]) or None
        return "the service answered with an HTML page"
    return clean(stripped)

"""How a body is read: decoded into at most ``limit + 1`` bytes, gzip and deflate inflated
only as far as that (a bomb never becomes a large buffer), anything else refused unread."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import httpx
import pytest

from timers._io import BodyReader


def reader(encoding: str | None, limit: int) -> BodyReader:
    headers = {} if encoding is None else {"content-encoding": encoding}
    return BodyReader(httpx.Response(200, headers=headers), limit)


def feed_in_pieces(r: BodyReader, data: bytes, size: int = 1000) -> bytes:
    for start in range(0, len(data), size):
        r.feed(data[start : start + size])
        if r.full:
            break
    return r.finish()


PAYLOAD = b'{"runs": [], "total": 0, "has_next_page": false}' * 50


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        (None, lambda b: b),
        ("identity", lambda b: b),
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("GZIP", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw, as some servers send it
    ],
)
def test_a_body_under_the_limit_is_decoded_whole(encoding: str | None, encode: object) -> None:
    r = reader(encoding, limit=len(PAYLOAD))
    assert feed_in_pieces(r, encode(PAYLOAD)) == PAYLOAD  # type: ignore[operator]
    assert not r.full


@pytest.mark.parametrize("encoding", [None, "gzip", "deflate"])
def test_a_body_over_the_limit_stops_one_byte_past_it(encoding: str | None) -> None:
    data = b"x" * 100_000
    encoded = {None: data, "gzip": gzip.compress(data), "deflate": zlib.compress(data)}[encoding]
    r = reader(encoding, limit=1000)
    body = feed_in_pieces(r, encoded)
    assert r.full and body == b"x" * 1001


def test_a_gzip_bomb_is_inflated_only_as_far_as_the_limit() -> None:
    bomb = gzip.compress(b"\0" * (256 * 1024 * 1024), compresslevel=9)  # 256 MiB, ~250 KiB
    assert len(bomb) < 300 * 1024
    r = reader("gzip", limit=1024 * 1024)
    tracemalloc.start()
    try:
        r.feed(bomb)  # all of it at once: the worst case for a decoder without a limit
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.full and len(r.finish()) == 1024 * 1024 + 1
    assert peak < 8 * 1024 * 1024, f"{peak} bytes"


def test_data_that_is_not_what_its_encoding_says_is_a_decoding_error() -> None:
    with pytest.raises(httpx.DecodingError, match="not valid compressed data"):
        reader("gzip", limit=100).feed(b"certainly not gzip")
    r = reader("deflate", limit=100)
    with pytest.raises(httpx.DecodingError):
        r.feed(b"neither zlib nor raw deflate \xff\xff\xff\xff")


@pytest.mark.parametrize(
    "encoding", ["br", "zstd", "identity, br", "gzip, gzip", "gzip,deflate", "br, gzip", "ZSTD"]
)
def test_brotli_zstd_or_two_compressions_are_refused_before_a_byte_is_read(
    encoding: str,
) -> None:
    # httpx would inflate each chunk of those whole: a brotli bomb, a bomb inside a bomb.
    with pytest.raises(httpx.DecodingError) as caught:
        reader(encoding, limit=10)
    assert str(caught.value) == (
        f"the body's content encoding {encoding!r} was not asked for: only one of gzip or "
        "deflate is read"
    )


@pytest.mark.parametrize("encoding", ["UTF-8", "none", "compress", "x-hostile", "utf-8, gzip"])
def test_a_value_no_decoder_knows_is_ignored_as_httpx_ignores_it(encoding: str) -> None:
    # Servers misconfigured so exist; httpx reads their bodies as sent.
    body = gzip.compress(PAYLOAD) if encoding.endswith("gzip") else PAYLOAD
    assert feed_in_pieces(reader(encoding, limit=10_000), body) == PAYLOAD


def test_identity_around_one_encoding_is_that_encoding() -> None:
    r = reader("identity, gzip", limit=100)
    assert feed_in_pieces(r, gzip.compress(PAYLOAD)) == PAYLOAD[:101]
    assert feed_in_pieces(reader(" Identity ", limit=100), PAYLOAD) == PAYLOAD[:101]

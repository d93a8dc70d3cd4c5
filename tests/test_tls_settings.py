"""The TLS settings of the clients the library makes: httpx's own (certifi's CAs, or the CA
file or folder ``$SSL_CERT_FILE``/``$SSL_CERT_DIR`` name), built once per process and
environment and shared, instead of loading the CA bundle again for every client (tens of
milliseconds of CPU each: a web app making a client per request paid it on every request)."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme
from support.dual import TIMER_ID
from support.tls import TLSRunServer

from timers import (
    APIConnectionError,
    AsyncTimersClient,
    InvalidArgumentError,
    TimersClient,
    _config,
)

RUN_ID = "aaaaaaaa-0000-4000-8000-000000000001"


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Counts the TLS contexts the library asks httpx for from now on (httpx's own calls, for a
    client made without ``verify=``, are not counted), in a process that asked for none yet."""
    calls: list[bool] = []
    build = httpx.create_ssl_context

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs.get("verify", True))
        return build(*args, **kwargs)

    monkeypatch.setattr(httpx, "create_ssl_context", counting)
    for name in _config._TLS_ENV:
        monkeypatch.delenv(name, raising=False)
    _config._tls_for.cache_clear()
    yield calls
    _config._tls_for.cache_clear()


def test_every_client_the_library_makes_shares_one_tls_context(made: list[bool]) -> None:
    clients = [TimersClient("t", base_url="https://timers.example.org/v1") for _ in range(5)]
    clients += [AsyncTimersClient("t", api="jobs") for _ in range(5)]
    assert made == [True]  # one context, verifying certificates
    contexts = {id(c._core.new_http_kwargs()["verify"]) for c in clients}
    assert len(contexts) == 1
    for client in clients[:5]:
        client.close()  # type: ignore[union-attr]


def test_a_new_ca_setting_in_the_environment_makes_a_new_context_and_the_old_one_is_reused(
    made: list[bool], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    TimersClient("t").close()
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    TimersClient("t").close()
    TimersClient("t").close()
    monkeypatch.delenv("SSL_CERT_DIR")
    TimersClient("t").close()
    assert len(made) == 2


def test_the_tls_key_log_being_written_makes_no_new_context(
    made: list[bool], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    log = tmp_path / "keys.log"  # $SSLKEYLOGFILE: TLS appends to it on every handshake
    log.write_text("")
    monkeypatch.setenv("SSLKEYLOGFILE", str(log))
    TimersClient("t").close()
    os.utime(log, ns=(2_000_000_000, 2_000_000_000))
    TimersClient("t").close()
    assert len(made) == 1


def _get_run(base_url: str, *, use_async: bool) -> str:
    if use_async:

        async def read() -> str:
            async with AsyncTimersClient("t", base_url=base_url, max_retries=0) as client:
                return (await client.get_run(TIMER_ID, RUN_ID)).id

        return asyncio.run(read())
    with TimersClient("t", base_url=base_url, max_retries=0) as client:
        return client.get_run(TIMER_ID, RUN_ID).id


@contextlib.contextmanager
def _served_under_a_new_ca(tmp_path: Path) -> Iterator[tuple[trustme.CA, Path, str]]:
    """A TLS server on 127.0.0.1 whose certificate a new CA signed (not one certifi knows):
    the CA, a file holding its certificate, and the server's base URL."""
    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    with TLSRunServer(ca) as server:
        yield ca, ca_file, f"https://127.0.0.1:{server.port}/api/v1"


@pytest.mark.parametrize("use_async", [False, True], ids=["sync", "async"])
def test_a_ca_file_named_in_the_environment_is_trusted_from_then_on_as_httpx_trusts_it(
    made: list[bool], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, use_async: bool
) -> None:
    with _served_under_a_new_ca(tmp_path) as (_, ca_file, base_url):
        with pytest.raises(APIConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
            _get_run(base_url, use_async=use_async)  # certifi's CAs do not know this one
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
        assert _get_run(base_url, use_async=use_async) == RUN_ID
        monkeypatch.delenv("SSL_CERT_FILE")
        with pytest.raises(APIConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
            _get_run(base_url, use_async=use_async)
    assert len(made) == 2


def test_a_ca_file_rewritten_in_place_is_read_again_by_the_next_client(
    made: list[bool], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with _served_under_a_new_ca(tmp_path) as (ca, ca_file, base_url):
        trustme.CA().cert_pem.write_to_path(str(ca_file))  # another CA's
        os.utime(ca_file, ns=(1_000_000_000, 1_000_000_000))
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
        with pytest.raises(APIConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
            _get_run(base_url, use_async=False)
        ca.cert_pem.write_to_path(str(ca_file))  # the CA rotated, under the same name...
        os.utime(ca_file, ns=(1_000_000_000, 1_000_000_000))  # ...and its old time (cp -p)
        assert _get_run(base_url, use_async=False) == RUN_ID
        assert _get_run(base_url, use_async=True) == RUN_ID
    assert len(made) == 2


def test_certifi_s_bundle_or_python_s_tls_replaced_by_the_program_makes_a_new_context(
    made: list[bool], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import ssl

    import certifi

    with _served_under_a_new_ca(tmp_path) as (_, ca_file, base_url):
        with pytest.raises(APIConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
            _get_run(base_url, use_async=False)
        monkeypatch.setattr(certifi, "where", lambda: str(ca_file))  # as a bundle update would
        assert _get_run(base_url, use_async=False) == RUN_ID

    # truststore.inject_into_ssl() replaces ssl.SSLContext: what httpx builds then is another
    # class of context (not built here: a subclass standing in for truststore's recurses).
    built = []
    monkeypatch.setattr(httpx, "create_ssl_context", lambda **kwargs: built.append(ssl.SSLContext))
    monkeypatch.setattr(ssl, "SSLContext", type("Injected", (ssl.SSLContext,), {}))
    _config.tls_context()
    _config.tls_context()
    assert len(made) == 2 and [c.__name__ for c in built] == ["Injected"]


@pytest.mark.parametrize("content", [None, b"not a certificate\n"], ids=["missing", "garbage"])
def test_a_ca_file_that_cannot_be_read_is_an_invalid_argument_naming_it(
    made: list[bool], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, content: bytes | None
) -> None:
    ca_file = tmp_path / "ca.pem"
    if content is not None:
        ca_file.write_bytes(content)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    with pytest.raises(InvalidArgumentError) as caught:
        TimersClient("t")
    assert str(caught.value).startswith(
        f"the TLS settings cannot be loaded from $SSL_CERT_FILE='{ca_file}': "
    )
    with pytest.raises(InvalidArgumentError, match=r"\$SSL_CERT_FILE="):
        AsyncTimersClient("t")

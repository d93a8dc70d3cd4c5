from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.flow_timer_read import FlowTimerRead
from ...models.globus_error import GlobusError
from ...models.http_validation_error import HTTPValidationError
from ...models.job_read import JobRead
from ...types import UNSET, Response, Unset


def _get_kwargs(
    job_id: UUID,
    *,
    results_pt: None | str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_results_pt: None | str | Unset
    if isinstance(results_pt, Unset):
        json_results_pt = UNSET
    else:
        json_results_pt = results_pt
    params["results_pt"] = json_results_pt

    params["page_size"] = page_size

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/jobs/{job_id}".format(
            job_id=quote(str(job_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> FlowTimerRead | JobRead | GlobusError | HTTPValidationError | None:
    if response.status_code == 200:

        def _parse_response_200(data: object) -> FlowTimerRead | JobRead:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_0 = FlowTimerRead.from_dict(data)

                return response_200_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_200_type_1 = JobRead.from_dict(data)

            return response_200_type_1

        response_200 = _parse_response_200(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = GlobusError.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = GlobusError.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = GlobusError.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = HTTPValidationError.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = GlobusError.from_dict(response.json())

        return response_429

    if 500 <= response.status_code <= 599:
        response_5xx = GlobusError.from_dict(response.json())

        return response_5xx

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[FlowTimerRead | JobRead | GlobusError | HTTPValidationError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    job_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    results_pt: None | str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> Response[FlowTimerRead | JobRead | GlobusError | HTTPValidationError]:
    """Read a timer with one page of its results

     Gets one timer. (S1: `read_job_jobs__job_id__get`.) Because running a timer over
    time can accumulate many results, the results are only available in pages: a plain
    request returns the first page in the `results` field, along with a `page_next` value
    to pass back as the query parameter `results_pt` to get the next page. On the last
    page `page_next` is absent or null.

    Only the last 90 days of results are retained (S3). The order of results is not
    published.

    Args:
        job_id (UUID):
        results_pt (None | str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[FlowTimerRead | JobRead | GlobusError | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        results_pt=results_pt,
        page_size=page_size,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    job_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    results_pt: None | str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> FlowTimerRead | JobRead | GlobusError | HTTPValidationError | None:
    """Read a timer with one page of its results

     Gets one timer. (S1: `read_job_jobs__job_id__get`.) Because running a timer over
    time can accumulate many results, the results are only available in pages: a plain
    request returns the first page in the `results` field, along with a `page_next` value
    to pass back as the query parameter `results_pt` to get the next page. On the last
    page `page_next` is absent or null.

    Only the last 90 days of results are retained (S3). The order of results is not
    published.

    Args:
        job_id (UUID):
        results_pt (None | str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        FlowTimerRead | JobRead | GlobusError | HTTPValidationError
    """

    return sync_detailed(
        job_id=job_id,
        client=client,
        results_pt=results_pt,
        page_size=page_size,
    ).parsed


async def asyncio_detailed(
    job_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    results_pt: None | str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> Response[FlowTimerRead | JobRead | GlobusError | HTTPValidationError]:
    """Read a timer with one page of its results

     Gets one timer. (S1: `read_job_jobs__job_id__get`.) Because running a timer over
    time can accumulate many results, the results are only available in pages: a plain
    request returns the first page in the `results` field, along with a `page_next` value
    to pass back as the query parameter `results_pt` to get the next page. On the last
    page `page_next` is absent or null.

    Only the last 90 days of results are retained (S3). The order of results is not
    published.

    Args:
        job_id (UUID):
        results_pt (None | str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[FlowTimerRead | JobRead | GlobusError | HTTPValidationError]
    """

    kwargs = _get_kwargs(
        job_id=job_id,
        results_pt=results_pt,
        page_size=page_size,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    job_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    results_pt: None | str | Unset = UNSET,
    page_size: int | Unset = UNSET,
) -> FlowTimerRead | JobRead | GlobusError | HTTPValidationError | None:
    """Read a timer with one page of its results

     Gets one timer. (S1: `read_job_jobs__job_id__get`.) Because running a timer over
    time can accumulate many results, the results are only available in pages: a plain
    request returns the first page in the `results` field, along with a `page_next` value
    to pass back as the query parameter `results_pt` to get the next page. On the last
    page `page_next` is absent or null.

    Only the last 90 days of results are retained (S3). The order of results is not
    published.

    Args:
        job_id (UUID):
        results_pt (None | str | Unset):
        page_size (int | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        FlowTimerRead | JobRead | GlobusError | HTTPValidationError
    """

    return (
        await asyncio_detailed(
            job_id=job_id,
            client=client,
            results_pt=results_pt,
            page_size=page_size,
        )
    ).parsed

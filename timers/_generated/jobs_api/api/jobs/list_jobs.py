from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.globus_error import GlobusError
from ...models.http_validation_error import HTTPValidationError
from ...models.job_list_response import JobListResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    filter_name: None | str | Unset = UNSET,
    submitted_after: None | str | Unset = UNSET,
    submitted_before: None | str | Unset = UNSET,
    filter_active: bool | Unset = UNSET,
    filter_stopped: bool | Unset = UNSET,
    filter_status: None | str | Unset = UNSET,
    result_count: int | Unset = UNSET,
    order: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_filter_name: None | str | Unset
    if isinstance(filter_name, Unset):
        json_filter_name = UNSET
    else:
        json_filter_name = filter_name
    params["filter_name"] = json_filter_name

    json_submitted_after: None | str | Unset
    if isinstance(submitted_after, Unset):
        json_submitted_after = UNSET
    else:
        json_submitted_after = submitted_after
    params["submitted_after"] = json_submitted_after

    json_submitted_before: None | str | Unset
    if isinstance(submitted_before, Unset):
        json_submitted_before = UNSET
    else:
        json_submitted_before = submitted_before
    params["submitted_before"] = json_submitted_before

    params["filter_active"] = filter_active

    params["filter_stopped"] = filter_stopped

    json_filter_status: None | str | Unset
    if isinstance(filter_status, Unset):
        json_filter_status = UNSET
    else:
        json_filter_status = filter_status
    params["filter_status"] = json_filter_status

    params["result_count"] = result_count

    json_order: None | str | Unset
    if isinstance(order, Unset):
        json_order = UNSET
    else:
        json_order = order
    params["order"] = json_order

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/jobs/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> GlobusError | HTTPValidationError | JobListResponse | None:
    if response.status_code == 200:
        response_200 = JobListResponse.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = GlobusError.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = GlobusError.from_dict(response.json())

        return response_403

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
) -> Response[GlobusError | HTTPValidationError | JobListResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    filter_name: None | str | Unset = UNSET,
    submitted_after: None | str | Unset = UNSET,
    submitted_before: None | str | Unset = UNSET,
    filter_active: bool | Unset = UNSET,
    filter_stopped: bool | Unset = UNSET,
    filter_status: None | str | Unset = UNSET,
    result_count: int | Unset = UNSET,
    order: None | str | Unset = UNSET,
) -> Response[GlobusError | HTTPValidationError | JobListResponse]:
    """List the caller's timers

     Lists the current user's timers. By default this includes all of the user's timers,
    even those which have ended. (S1: `list_jobs_jobs__get`.) Each timer carries the first
    page of its results; `result_count` limits how many results each timer carries.

    The path ends with a slash, as in S1 and in globus-sdk's `list_jobs` (S2).

    Args:
        filter_name (None | str | Unset):
        submitted_after (None | str | Unset):
        submitted_before (None | str | Unset):
        filter_active (bool | Unset):
        filter_stopped (bool | Unset):
        filter_status (None | str | Unset):
        result_count (int | Unset):
        order (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GlobusError | HTTPValidationError | JobListResponse]
    """

    kwargs = _get_kwargs(
        filter_name=filter_name,
        submitted_after=submitted_after,
        submitted_before=submitted_before,
        filter_active=filter_active,
        filter_stopped=filter_stopped,
        filter_status=filter_status,
        result_count=result_count,
        order=order,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    filter_name: None | str | Unset = UNSET,
    submitted_after: None | str | Unset = UNSET,
    submitted_before: None | str | Unset = UNSET,
    filter_active: bool | Unset = UNSET,
    filter_stopped: bool | Unset = UNSET,
    filter_status: None | str | Unset = UNSET,
    result_count: int | Unset = UNSET,
    order: None | str | Unset = UNSET,
) -> GlobusError | HTTPValidationError | JobListResponse | None:
    """List the caller's timers

     Lists the current user's timers. By default this includes all of the user's timers,
    even those which have ended. (S1: `list_jobs_jobs__get`.) Each timer carries the first
    page of its results; `result_count` limits how many results each timer carries.

    The path ends with a slash, as in S1 and in globus-sdk's `list_jobs` (S2).

    Args:
        filter_name (None | str | Unset):
        submitted_after (None | str | Unset):
        submitted_before (None | str | Unset):
        filter_active (bool | Unset):
        filter_stopped (bool | Unset):
        filter_status (None | str | Unset):
        result_count (int | Unset):
        order (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GlobusError | HTTPValidationError | JobListResponse
    """

    return sync_detailed(
        client=client,
        filter_name=filter_name,
        submitted_after=submitted_after,
        submitted_before=submitted_before,
        filter_active=filter_active,
        filter_stopped=filter_stopped,
        filter_status=filter_status,
        result_count=result_count,
        order=order,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    filter_name: None | str | Unset = UNSET,
    submitted_after: None | str | Unset = UNSET,
    submitted_before: None | str | Unset = UNSET,
    filter_active: bool | Unset = UNSET,
    filter_stopped: bool | Unset = UNSET,
    filter_status: None | str | Unset = UNSET,
    result_count: int | Unset = UNSET,
    order: None | str | Unset = UNSET,
) -> Response[GlobusError | HTTPValidationError | JobListResponse]:
    """List the caller's timers

     Lists the current user's timers. By default this includes all of the user's timers,
    even those which have ended. (S1: `list_jobs_jobs__get`.) Each timer carries the first
    page of its results; `result_count` limits how many results each timer carries.

    The path ends with a slash, as in S1 and in globus-sdk's `list_jobs` (S2).

    Args:
        filter_name (None | str | Unset):
        submitted_after (None | str | Unset):
        submitted_before (None | str | Unset):
        filter_active (bool | Unset):
        filter_stopped (bool | Unset):
        filter_status (None | str | Unset):
        result_count (int | Unset):
        order (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GlobusError | HTTPValidationError | JobListResponse]
    """

    kwargs = _get_kwargs(
        filter_name=filter_name,
        submitted_after=submitted_after,
        submitted_before=submitted_before,
        filter_active=filter_active,
        filter_stopped=filter_stopped,
        filter_status=filter_status,
        result_count=result_count,
        order=order,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    filter_name: None | str | Unset = UNSET,
    submitted_after: None | str | Unset = UNSET,
    submitted_before: None | str | Unset = UNSET,
    filter_active: bool | Unset = UNSET,
    filter_stopped: bool | Unset = UNSET,
    filter_status: None | str | Unset = UNSET,
    result_count: int | Unset = UNSET,
    order: None | str | Unset = UNSET,
) -> GlobusError | HTTPValidationError | JobListResponse | None:
    """List the caller's timers

     Lists the current user's timers. By default this includes all of the user's timers,
    even those which have ended. (S1: `list_jobs_jobs__get`.) Each timer carries the first
    page of its results; `result_count` limits how many results each timer carries.

    The path ends with a slash, as in S1 and in globus-sdk's `list_jobs` (S2).

    Args:
        filter_name (None | str | Unset):
        submitted_after (None | str | Unset):
        submitted_before (None | str | Unset):
        filter_active (bool | Unset):
        filter_stopped (bool | Unset):
        filter_status (None | str | Unset):
        result_count (int | Unset):
        order (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GlobusError | HTTPValidationError | JobListResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            filter_name=filter_name,
            submitted_after=submitted_after,
            submitted_before=submitted_before,
            filter_active=filter_active,
            filter_stopped=filter_stopped,
            filter_status=filter_status,
            result_count=result_count,
            order=order,
        )
    ).parsed

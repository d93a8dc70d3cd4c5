import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error import Error
from ...models.run_list import RunList
from ...models.run_status import RunStatus
from ...types import UNSET, Response, Unset


def _get_kwargs(
    timer_id: UUID,
    *,
    limit: int | Unset = UNSET,
    marker: str | Unset = UNSET,
    status: RunStatus | Unset = UNSET,
    start_after: datetime.datetime | Unset = UNSET,
    start_before: datetime.datetime | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["marker"] = marker

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    json_start_after: str | Unset = UNSET
    if not isinstance(start_after, Unset):
        json_start_after = start_after.isoformat()
    params["start_after"] = json_start_after

    json_start_before: str | Unset = UNSET
    if not isinstance(start_before, Unset):
        json_start_before = start_before.isoformat()
    params["start_before"] = json_start_before

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/timers/{timer_id}/runs".format(
            timer_id=quote(str(timer_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Error | RunList | None:
    if response.status_code == 200:
        response_200 = RunList.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Error.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Error.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Error.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Error.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = Error.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Error.from_dict(response.json())

        return response_429

    if 500 <= response.status_code <= 599:
        response_5xx = Error.from_dict(response.json())

        return response_5xx

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Error | RunList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    timer_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = UNSET,
    marker: str | Unset = UNSET,
    status: RunStatus | Unset = UNSET,
    start_after: datetime.datetime | Unset = UNSET,
    start_before: datetime.datetime | Unset = UNSET,
) -> Response[Error | RunList]:
    """List the runs of a timer

     Lists the timer's runs, newest first (by `start_time`; runs that started at the same
    instant by descending id), one page at a time. Pass a page's `next_page` back as
    `marker` to get the following page, with the same filters. A marker the service did not
    issue gets 400.

    Args:
        timer_id (UUID):
        limit (int | Unset):
        marker (str | Unset):
        status (RunStatus | Unset): The status of a run. `pending` and `in_progress` runs have not
            finished;
            `success` and `failure` are final.
             Example: success.
        start_after (datetime.datetime | Unset):
        start_before (datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RunList]
    """

    kwargs = _get_kwargs(
        timer_id=timer_id,
        limit=limit,
        marker=marker,
        status=status,
        start_after=start_after,
        start_before=start_before,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    timer_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = UNSET,
    marker: str | Unset = UNSET,
    status: RunStatus | Unset = UNSET,
    start_after: datetime.datetime | Unset = UNSET,
    start_before: datetime.datetime | Unset = UNSET,
) -> Error | RunList | None:
    """List the runs of a timer

     Lists the timer's runs, newest first (by `start_time`; runs that started at the same
    instant by descending id), one page at a time. Pass a page's `next_page` back as
    `marker` to get the following page, with the same filters. A marker the service did not
    issue gets 400.

    Args:
        timer_id (UUID):
        limit (int | Unset):
        marker (str | Unset):
        status (RunStatus | Unset): The status of a run. `pending` and `in_progress` runs have not
            finished;
            `success` and `failure` are final.
             Example: success.
        start_after (datetime.datetime | Unset):
        start_before (datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RunList
    """

    return sync_detailed(
        timer_id=timer_id,
        client=client,
        limit=limit,
        marker=marker,
        status=status,
        start_after=start_after,
        start_before=start_before,
    ).parsed


async def asyncio_detailed(
    timer_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = UNSET,
    marker: str | Unset = UNSET,
    status: RunStatus | Unset = UNSET,
    start_after: datetime.datetime | Unset = UNSET,
    start_before: datetime.datetime | Unset = UNSET,
) -> Response[Error | RunList]:
    """List the runs of a timer

     Lists the timer's runs, newest first (by `start_time`; runs that started at the same
    instant by descending id), one page at a time. Pass a page's `next_page` back as
    `marker` to get the following page, with the same filters. A marker the service did not
    issue gets 400.

    Args:
        timer_id (UUID):
        limit (int | Unset):
        marker (str | Unset):
        status (RunStatus | Unset): The status of a run. `pending` and `in_progress` runs have not
            finished;
            `success` and `failure` are final.
             Example: success.
        start_after (datetime.datetime | Unset):
        start_before (datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Error | RunList]
    """

    kwargs = _get_kwargs(
        timer_id=timer_id,
        limit=limit,
        marker=marker,
        status=status,
        start_after=start_after,
        start_before=start_before,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    timer_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    limit: int | Unset = UNSET,
    marker: str | Unset = UNSET,
    status: RunStatus | Unset = UNSET,
    start_after: datetime.datetime | Unset = UNSET,
    start_before: datetime.datetime | Unset = UNSET,
) -> Error | RunList | None:
    """List the runs of a timer

     Lists the timer's runs, newest first (by `start_time`; runs that started at the same
    instant by descending id), one page at a time. Pass a page's `next_page` back as
    `marker` to get the following page, with the same filters. A marker the service did not
    issue gets 400.

    Args:
        timer_id (UUID):
        limit (int | Unset):
        marker (str | Unset):
        status (RunStatus | Unset): The status of a run. `pending` and `in_progress` runs have not
            finished;
            `success` and `failure` are final.
             Example: success.
        start_after (datetime.datetime | Unset):
        start_before (datetime.datetime | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Error | RunList
    """

    return (
        await asyncio_detailed(
            timer_id=timer_id,
            client=client,
            limit=limit,
            marker=marker,
            status=status,
            start_after=start_after,
            start_before=start_before,
        )
    ).parsed

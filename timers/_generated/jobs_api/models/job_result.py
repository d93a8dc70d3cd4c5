from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.job_result_data import JobResultData
    from ..models.job_result_errors import JobResultErrors


T = TypeVar("T", bound="JobResult")


@_attrs_define
class JobResult:
    """One run of the timer. A result has no id. Older results (S2) lack `run_status` and
    `start_timestamp` and have a `ran_at` without a UTC offset.

        Example:
            {'ran_at': '2026-11-28T02:00:03.512004+00:00', 'run_status': 'SUCCEEDED', 'start_timestamp':
                '2026-11-28T02:00:00.004117+00:00', 'status': 202}

        Attributes:
            ran_at (datetime.datetime): When the run happened.
            run_status (str): The run's status. Its values are not published: keep the service's string.
            start_timestamp (datetime.datetime): When the run started.
            data (JobResultData | None | Unset): What the callback answered (e.g. the action's status document).
            errors (JobResultErrors | None | Unset): The error of a failed run; null when there is none.
            status (int | None | Unset): The HTTP status code of the callback's answer.
            resource_id (None | str | Unset): The id of what the run started (e.g. an action id or a flow run id).
            next_check_timestamp (datetime.datetime | None | Unset): When the service next checks the run's progress.
            last_check_timestamp (datetime.datetime | None | Unset): When the service last checked the run's progress.
            end_timestamp (datetime.datetime | None | Unset): When the run ended; absent or null while it has not.
            http_status_polled (int | None | Unset): The HTTP status code of the last progress check.
            http_status_submission (int | None | Unset): The HTTP status code of the callback's submission.
    """

    ran_at: datetime.datetime
    run_status: str
    start_timestamp: datetime.datetime
    data: JobResultData | None | Unset = UNSET
    errors: JobResultErrors | None | Unset = UNSET
    status: int | None | Unset = UNSET
    resource_id: None | str | Unset = UNSET
    next_check_timestamp: datetime.datetime | None | Unset = UNSET
    last_check_timestamp: datetime.datetime | None | Unset = UNSET
    end_timestamp: datetime.datetime | None | Unset = UNSET
    http_status_polled: int | None | Unset = UNSET
    http_status_submission: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.job_result_data import JobResultData  # noqa: PLC0415
        from ..models.job_result_errors import JobResultErrors  # noqa: PLC0415

        ran_at = self.ran_at.isoformat()

        run_status = self.run_status

        start_timestamp = self.start_timestamp.isoformat()

        data: dict[str, Any] | None | Unset
        if isinstance(self.data, Unset):
            data = UNSET
        elif isinstance(self.data, JobResultData):
            data = self.data.to_dict()
        else:
            data = self.data

        errors: dict[str, Any] | None | Unset
        if isinstance(self.errors, Unset):
            errors = UNSET
        elif isinstance(self.errors, JobResultErrors):
            errors = self.errors.to_dict()
        else:
            errors = self.errors

        status: int | None | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        else:
            status = self.status

        resource_id: None | str | Unset
        if isinstance(self.resource_id, Unset):
            resource_id = UNSET
        else:
            resource_id = self.resource_id

        next_check_timestamp: None | str | Unset
        if isinstance(self.next_check_timestamp, Unset):
            next_check_timestamp = UNSET
        elif isinstance(self.next_check_timestamp, datetime.datetime):
            next_check_timestamp = self.next_check_timestamp.isoformat()
        else:
            next_check_timestamp = self.next_check_timestamp

        last_check_timestamp: None | str | Unset
        if isinstance(self.last_check_timestamp, Unset):
            last_check_timestamp = UNSET
        elif isinstance(self.last_check_timestamp, datetime.datetime):
            last_check_timestamp = self.last_check_timestamp.isoformat()
        else:
            last_check_timestamp = self.last_check_timestamp

        end_timestamp: None | str | Unset
        if isinstance(self.end_timestamp, Unset):
            end_timestamp = UNSET
        elif isinstance(self.end_timestamp, datetime.datetime):
            end_timestamp = self.end_timestamp.isoformat()
        else:
            end_timestamp = self.end_timestamp

        http_status_polled: int | None | Unset
        if isinstance(self.http_status_polled, Unset):
            http_status_polled = UNSET
        else:
            http_status_polled = self.http_status_polled

        http_status_submission: int | None | Unset
        if isinstance(self.http_status_submission, Unset):
            http_status_submission = UNSET
        else:
            http_status_submission = self.http_status_submission

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "ran_at": ran_at,
                "run_status": run_status,
                "start_timestamp": start_timestamp,
            }
        )
        if data is not UNSET:
            field_dict["data"] = data
        if errors is not UNSET:
            field_dict["errors"] = errors
        if status is not UNSET:
            field_dict["status"] = status
        if resource_id is not UNSET:
            field_dict["resource_id"] = resource_id
        if next_check_timestamp is not UNSET:
            field_dict["next_check_timestamp"] = next_check_timestamp
        if last_check_timestamp is not UNSET:
            field_dict["last_check_timestamp"] = last_check_timestamp
        if end_timestamp is not UNSET:
            field_dict["end_timestamp"] = end_timestamp
        if http_status_polled is not UNSET:
            field_dict["http_status_polled"] = http_status_polled
        if http_status_submission is not UNSET:
            field_dict["http_status_submission"] = http_status_submission

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_result_data import JobResultData  # noqa: PLC0415
        from ..models.job_result_errors import JobResultErrors  # noqa: PLC0415

        d = dict(src_dict)
        ran_at = datetime.datetime.fromisoformat(d.pop("ran_at"))

        run_status = d.pop("run_status")

        start_timestamp = datetime.datetime.fromisoformat(d.pop("start_timestamp"))

        def _parse_data(data: object) -> JobResultData | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                data_type_0 = JobResultData.from_dict(data)

                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobResultData | None | Unset, data)

        data = _parse_data(d.pop("data", UNSET))

        def _parse_errors(data: object) -> JobResultErrors | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                errors_type_0 = JobResultErrors.from_dict(data)

                return errors_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobResultErrors | None | Unset, data)

        errors = _parse_errors(d.pop("errors", UNSET))

        def _parse_status(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        def _parse_resource_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        resource_id = _parse_resource_id(d.pop("resource_id", UNSET))

        def _parse_next_check_timestamp(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_check_timestamp_type_0 = datetime.datetime.fromisoformat(data)

                return next_check_timestamp_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        next_check_timestamp = _parse_next_check_timestamp(d.pop("next_check_timestamp", UNSET))

        def _parse_last_check_timestamp(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_check_timestamp_type_0 = datetime.datetime.fromisoformat(data)

                return last_check_timestamp_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_check_timestamp = _parse_last_check_timestamp(d.pop("last_check_timestamp", UNSET))

        def _parse_end_timestamp(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                end_timestamp_type_0 = datetime.datetime.fromisoformat(data)

                return end_timestamp_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        end_timestamp = _parse_end_timestamp(d.pop("end_timestamp", UNSET))

        def _parse_http_status_polled(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        http_status_polled = _parse_http_status_polled(d.pop("http_status_polled", UNSET))

        def _parse_http_status_submission(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        http_status_submission = _parse_http_status_submission(d.pop("http_status_submission", UNSET))

        job_result = cls(
            ran_at=ran_at,
            run_status=run_status,
            start_timestamp=start_timestamp,
            data=data,
            errors=errors,
            status=status,
            resource_id=resource_id,
            next_check_timestamp=next_check_timestamp,
            last_check_timestamp=last_check_timestamp,
            end_timestamp=end_timestamp,
            http_status_polled=http_status_polled,
            http_status_submission=http_status_submission,
        )

        job_result.additional_properties = d
        return job_result

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties

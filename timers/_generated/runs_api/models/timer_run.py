from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.run_status import RunStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.run_result import RunResult


T = TypeVar("T", bound="TimerRun")


@_attrs_define
class TimerRun:
    """One execution of a timer's callback.

    Example:
        {'id': '9f2d8c7e-4b2a-4de2-8d72-0e1ab3c4d5e6', 'timer_id': '12345678-1234-1234-1234-123456789012', 'status':
            'success', 'start_time': '2026-11-28T12:00:00Z', 'end_time': '2026-11-28T12:00:02.514Z', 'result': {'status':
            'success', 'status_code': 200}}

    Attributes:
        id (UUID): The run's id.
        timer_id (UUID): The id of the timer that was run.
        status (RunStatus | str): The run's status. Clients must accept values not listed in `RunStatus`: the
            service may add statuses.
        start_time (datetime.datetime): When the run started (RFC 3339).
        end_time (datetime.datetime | None | Unset): When the run ended; absent or null while it has not.
        result (None | RunResult | Unset): The outcome of the run's callback; absent or null while the run has not
            finished.
            A web callback sets `status_code`; a flow callback sets `run_id`.
             Example: {'status': 'success', 'status_code': 200}.
    """

    id: UUID
    timer_id: UUID
    status: RunStatus | str
    start_time: datetime.datetime
    end_time: datetime.datetime | None | Unset = UNSET
    result: None | RunResult | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.run_result import RunResult  # noqa: PLC0415

        id = str(self.id)

        timer_id = str(self.timer_id)

        status: str
        if isinstance(self.status, RunStatus):
            status = self.status.value
        else:
            status = self.status

        start_time = self.start_time.isoformat()

        end_time: None | str | Unset
        if isinstance(self.end_time, Unset):
            end_time = UNSET
        elif isinstance(self.end_time, datetime.datetime):
            end_time = self.end_time.isoformat()
        else:
            end_time = self.end_time

        result: dict[str, Any] | None | Unset
        if isinstance(self.result, Unset):
            result = UNSET
        elif isinstance(self.result, RunResult):
            result = self.result.to_dict()
        else:
            result = self.result

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "timer_id": timer_id,
                "status": status,
                "start_time": start_time,
            }
        )
        if end_time is not UNSET:
            field_dict["end_time"] = end_time
        if result is not UNSET:
            field_dict["result"] = result

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.run_result import RunResult  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        timer_id = UUID(d.pop("timer_id"))

        def _parse_status(data: object) -> RunStatus | str:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = RunStatus(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(RunStatus | str, data)

        status = _parse_status(d.pop("status"))

        start_time = datetime.datetime.fromisoformat(d.pop("start_time"))

        def _parse_end_time(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                end_time_type_0 = datetime.datetime.fromisoformat(data)

                return end_time_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        end_time = _parse_end_time(d.pop("end_time", UNSET))

        def _parse_result(data: object) -> None | RunResult | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_run_result_type_0 = RunResult.from_dict(data)

                return componentsschemas_run_result_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RunResult | Unset, data)

        result = _parse_result(d.pop("result", UNSET))

        timer_run = cls(
            id=id,
            timer_id=timer_id,
            status=status,
            start_time=start_time,
            end_time=end_time,
            result=result,
        )

        timer_run.additional_properties = d
        return timer_run

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

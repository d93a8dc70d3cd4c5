from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.api_timer_activity_in_progress_code import ApiTimerActivityInProgressCode

T = TypeVar("T", bound="ApiTimerActivityInProgress")


@_attrs_define
class ApiTimerActivityInProgress:
    """The timer is waiting for a run to complete.

    Example:
        {'code': 'run_in_progress', 'start_timestamp': '2026-11-23T09:00:00.004000+00:00', 'duration_seconds': 600.5}

    Attributes:
        code (ApiTimerActivityInProgressCode):
        start_timestamp (datetime.datetime): When the run started.
        duration_seconds (float): How long the run has been going, in seconds.
    """

    code: ApiTimerActivityInProgressCode
    start_timestamp: datetime.datetime
    duration_seconds: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code.value

        start_timestamp = self.start_timestamp.isoformat()

        duration_seconds = self.duration_seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "start_timestamp": start_timestamp,
                "duration_seconds": duration_seconds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = ApiTimerActivityInProgressCode(d.pop("code"))

        start_timestamp = datetime.datetime.fromisoformat(d.pop("start_timestamp"))

        duration_seconds = d.pop("duration_seconds")

        api_timer_activity_in_progress = cls(
            code=code,
            start_timestamp=start_timestamp,
            duration_seconds=duration_seconds,
        )

        api_timer_activity_in_progress.additional_properties = d
        return api_timer_activity_in_progress

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

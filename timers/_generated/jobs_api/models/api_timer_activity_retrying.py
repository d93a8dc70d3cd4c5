from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.api_timer_activity_retrying_code import ApiTimerActivityRetryingCode

T = TypeVar("T", bound="ApiTimerActivityRetrying")


@_attrs_define
class ApiTimerActivityRetrying:
    """The timer is retrying its scheduled run (transient errors are retried for up to
    45 minutes, S3).

        Example:
            {'code': 'retrying', 'start_timestamp': '2026-11-28T02:00:00+00:00'}

        Attributes:
            code (ApiTimerActivityRetryingCode):
            start_timestamp (datetime.datetime): When the scheduled run started.
    """

    code: ApiTimerActivityRetryingCode
    start_timestamp: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code.value

        start_timestamp = self.start_timestamp.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "start_timestamp": start_timestamp,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = ApiTimerActivityRetryingCode(d.pop("code"))

        start_timestamp = datetime.datetime.fromisoformat(d.pop("start_timestamp"))

        api_timer_activity_retrying = cls(
            code=code,
            start_timestamp=start_timestamp,
        )

        api_timer_activity_retrying.additional_properties = d
        return api_timer_activity_retrying

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

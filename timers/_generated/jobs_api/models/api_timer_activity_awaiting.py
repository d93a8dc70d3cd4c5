from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.api_timer_activity_awaiting_code import ApiTimerActivityAwaitingCode

T = TypeVar("T", bound="ApiTimerActivityAwaiting")


@_attrs_define
class ApiTimerActivityAwaiting:
    """The timer is waiting for its next scheduled run.

    Example:
        {'code': 'awaiting_next_run', 'next_run': '2026-11-29T02:00:00+00:00'}

    Attributes:
        code (ApiTimerActivityAwaitingCode):
        next_run (datetime.datetime): When the next run is due.
    """

    code: ApiTimerActivityAwaitingCode
    next_run: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code.value

        next_run = self.next_run.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "next_run": next_run,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = ApiTimerActivityAwaitingCode(d.pop("code"))

        next_run = datetime.datetime.fromisoformat(d.pop("next_run"))

        api_timer_activity_awaiting = cls(
            code=code,
            next_run=next_run,
        )

        api_timer_activity_awaiting.additional_properties = d
        return api_timer_activity_awaiting

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

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.api_timer_activity_paused_code import ApiTimerActivityPausedCode
from ..models.api_timer_activity_paused_reason import ApiTimerActivityPausedReason

T = TypeVar("T", bound="ApiTimerActivityPaused")


@_attrs_define
class ApiTimerActivityPaused:
    """The timer is paused.

    Example:
        {'code': 'paused', 'reason': 'user'}

    Attributes:
        code (ApiTimerActivityPausedCode):
        reason (ApiTimerActivityPausedReason): Why the timer is paused.
    """

    code: ApiTimerActivityPausedCode
    reason: ApiTimerActivityPausedReason
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code.value

        reason = self.reason.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "reason": reason,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = ApiTimerActivityPausedCode(d.pop("code"))

        reason = ApiTimerActivityPausedReason(d.pop("reason"))

        api_timer_activity_paused = cls(
            code=code,
            reason=reason,
        )

        api_timer_activity_paused.additional_properties = d
        return api_timer_activity_paused

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

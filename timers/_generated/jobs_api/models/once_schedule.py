from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.once_schedule_type import OnceScheduleType
from ..types import UNSET, Unset

T = TypeVar("T", bound="OnceSchedule")


@_attrs_define
class OnceSchedule:
    """The schedule of a timer which runs once at a specific time.

    Example:
        {'type': 'once', 'datetime': '2026-12-01T00:00:00+00:00'}

    Attributes:
        type_ (OnceScheduleType):
        datetime_ (datetime.datetime | None | Unset): When the timer runs.
    """

    type_: OnceScheduleType
    datetime_: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        type_ = self.type_.value

        datetime_: None | str | Unset
        if isinstance(self.datetime_, Unset):
            datetime_ = UNSET
        elif isinstance(self.datetime_, datetime.datetime):
            datetime_ = self.datetime_.isoformat()
        else:
            datetime_ = self.datetime_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
            }
        )
        if datetime_ is not UNSET:
            field_dict["datetime"] = datetime_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        type_ = OnceScheduleType(d.pop("type"))

        def _parse_datetime_(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                datetime_type_0 = datetime.datetime.fromisoformat(data)

                return datetime_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        datetime_ = _parse_datetime_(d.pop("datetime", UNSET))

        once_schedule = cls(
            type_=type_,
            datetime_=datetime_,
        )

        once_schedule.additional_properties = d
        return once_schedule

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

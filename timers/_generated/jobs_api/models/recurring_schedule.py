from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.recurring_schedule_type import RecurringScheduleType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.end_condition_iterations import EndConditionIterations
    from ..models.end_condition_time import EndConditionTime


T = TypeVar("T", bound="RecurringSchedule")


@_attrs_define
class RecurringSchedule:
    """The schedule of a timer which repeats until an end condition is met, or
    indefinitely if there is none.

        Example:
            {'type': 'recurring', 'interval_seconds': 86400, 'start': '2026-11-01T02:00:00+00:00'}

        Attributes:
            type_ (RecurringScheduleType):
            interval_seconds (int): The number of seconds between runs.
            start (datetime.datetime | None | Unset): When the timer starts running.
            end (EndConditionIterations | EndConditionTime | None | Unset): When the timer stops; absent or null to run
                indefinitely.
    """

    type_: RecurringScheduleType
    interval_seconds: int
    start: datetime.datetime | None | Unset = UNSET
    end: EndConditionIterations | EndConditionTime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.end_condition_iterations import EndConditionIterations  # noqa: PLC0415
        from ..models.end_condition_time import EndConditionTime  # noqa: PLC0415

        type_ = self.type_.value

        interval_seconds = self.interval_seconds

        start: None | str | Unset
        if isinstance(self.start, Unset):
            start = UNSET
        elif isinstance(self.start, datetime.datetime):
            start = self.start.isoformat()
        else:
            start = self.start

        end: dict[str, Any] | None | Unset
        if isinstance(self.end, Unset):
            end = UNSET
        elif isinstance(self.end, EndConditionTime):
            end = self.end.to_dict()
        elif isinstance(self.end, EndConditionIterations):
            end = self.end.to_dict()
        else:
            end = self.end

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "type": type_,
                "interval_seconds": interval_seconds,
            }
        )
        if start is not UNSET:
            field_dict["start"] = start
        if end is not UNSET:
            field_dict["end"] = end

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.end_condition_iterations import EndConditionIterations  # noqa: PLC0415
        from ..models.end_condition_time import EndConditionTime  # noqa: PLC0415

        d = dict(src_dict)
        type_ = RecurringScheduleType(d.pop("type"))

        interval_seconds = d.pop("interval_seconds")

        def _parse_start(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                start_type_0 = datetime.datetime.fromisoformat(data)

                return start_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        start = _parse_start(d.pop("start", UNSET))

        def _parse_end(data: object) -> EndConditionIterations | EndConditionTime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_end_condition_time_type_0 = EndConditionTime.from_dict(data)

                return componentsschemas_end_condition_time_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_end_condition_iterations_type_0 = EndConditionIterations.from_dict(data)

                return componentsschemas_end_condition_iterations_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EndConditionIterations | EndConditionTime | None | Unset, data)

        end = _parse_end(d.pop("end", UNSET))

        recurring_schedule = cls(
            type_=type_,
            interval_seconds=interval_seconds,
            start=start,
            end=end,
        )

        recurring_schedule.additional_properties = d
        return recurring_schedule

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

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.end_condition_time_condition import EndConditionTimeCondition

T = TypeVar("T", bound="EndConditionTime")


@_attrs_define
class EndConditionTime:
    """The end condition of a timer which stops running after a time.

    Example:
        {'condition': 'time', 'datetime': '2027-06-30T00:00:00+00:00'}

    Attributes:
        condition (EndConditionTimeCondition):
        datetime_ (datetime.datetime): The timer stops running after this time.
    """

    condition: EndConditionTimeCondition
    datetime_: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        condition = self.condition.value

        datetime_ = self.datetime_.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "condition": condition,
                "datetime": datetime_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        condition = EndConditionTimeCondition(d.pop("condition"))

        datetime_ = datetime.datetime.fromisoformat(d.pop("datetime"))

        end_condition_time = cls(
            condition=condition,
            datetime_=datetime_,
        )

        end_condition_time.additional_properties = d
        return end_condition_time

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

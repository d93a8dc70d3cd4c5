from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.end_condition_iterations_condition import EndConditionIterationsCondition

T = TypeVar("T", bound="EndConditionIterations")


@_attrs_define
class EndConditionIterations:
    """The end condition of a timer which stops running after a number of runs.

    Example:
        {'condition': 'iterations', 'count': 10}

    Attributes:
        condition (EndConditionIterationsCondition):
        count (int): The number of runs after which the timer stops.
    """

    condition: EndConditionIterationsCondition
    count: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        condition = self.condition.value

        count = self.count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "condition": condition,
                "count": count,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        condition = EndConditionIterationsCondition(d.pop("condition"))

        count = d.pop("count")

        end_condition_iterations = cls(
            condition=condition,
            count=count,
        )

        end_condition_iterations.additional_properties = d
        return end_condition_iterations

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

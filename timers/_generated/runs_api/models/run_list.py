from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.timer_run import TimerRun


T = TypeVar("T", bound="RunList")


@_attrs_define
class RunList:
    """One page of a timer's runs, newest first.

    Example:
        {'runs': [], 'total': 0, 'has_next_page': False, 'next_page': None}

    Attributes:
        runs (list[TimerRun]):
        total (int): How many runs match the filters, over all pages.
        has_next_page (bool): Whether another page follows this one.
        next_page (None | str | Unset): Pass as `marker` to get the next page; absent or null on the last page.
    """

    runs: list[TimerRun]
    total: int
    has_next_page: bool
    next_page: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        runs = []
        for runs_item_data in self.runs:
            runs_item = runs_item_data.to_dict()
            runs.append(runs_item)

        total = self.total

        has_next_page = self.has_next_page

        next_page: None | str | Unset
        if isinstance(self.next_page, Unset):
            next_page = UNSET
        else:
            next_page = self.next_page

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "runs": runs,
                "total": total,
                "has_next_page": has_next_page,
            }
        )
        if next_page is not UNSET:
            field_dict["next_page"] = next_page

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.timer_run import TimerRun  # noqa: PLC0415

        d = dict(src_dict)
        runs = []
        _runs = d.pop("runs")
        for runs_item_data in _runs:
            runs_item = TimerRun.from_dict(runs_item_data)

            runs.append(runs_item)

        total = d.pop("total")

        has_next_page = d.pop("has_next_page")

        def _parse_next_page(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        next_page = _parse_next_page(d.pop("next_page", UNSET))

        run_list = cls(
            runs=runs,
            total=total,
            has_next_page=has_next_page,
            next_page=next_page,
        )

        run_list.additional_properties = d
        return run_list

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

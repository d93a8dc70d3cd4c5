from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.job_result import JobResult


T = TypeVar("T", bound="JobResultPage")


@_attrs_define
class JobResultPage:
    """One page of a timer's results. Pass `page_next` as `results_pt` to get the next
    page; it is absent or null on the last page. (Timers read through the v2 API send
    `results: []` instead of a page.)

        Example:
            {'data': [], 'page_next': None}

        Attributes:
            data (list[JobResult]): The results in this page; their order is not published.
            page_next (None | str | Unset): The token for the next page; opaque.
    """

    data: list[JobResult]
    page_next: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        page_next: None | str | Unset
        if isinstance(self.page_next, Unset):
            page_next = UNSET
        else:
            page_next = self.page_next

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data": data,
            }
        )
        if page_next is not UNSET:
            field_dict["page_next"] = page_next

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_result import JobResult  # noqa: PLC0415

        d = dict(src_dict)
        data = []
        _data = d.pop("data")
        for data_item_data in _data:
            data_item = JobResult.from_dict(data_item_data)

            data.append(data_item)

        def _parse_page_next(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        page_next = _parse_page_next(d.pop("page_next", UNSET))

        job_result_page = cls(
            data=data,
            page_next=page_next,
        )

        job_result_page.additional_properties = d
        return job_result_page

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

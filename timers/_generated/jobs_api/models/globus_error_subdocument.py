from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="GlobusErrorSubdocument")


@_attrs_define
class GlobusErrorSubdocument:
    """One error within `error` or `errors`.

    Example:
        {'code': 'ERROR', 'detail': 'Request failed terribly', 'status': 500}

    Attributes:
        code (str | Unset): A machine-readable error code.
        message (str | Unset): A human-readable message.
        title (str | Unset): A short human-readable summary.
        detail (str | Unset): A human-readable explanation.
        status (int | str | Unset): The HTTP status, as a number or a string.
    """

    code: str | Unset = UNSET
    message: str | Unset = UNSET
    title: str | Unset = UNSET
    detail: str | Unset = UNSET
    status: int | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        title = self.title

        detail = self.detail

        status: int | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        else:
            status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if code is not UNSET:
            field_dict["code"] = code
        if message is not UNSET:
            field_dict["message"] = message
        if title is not UNSET:
            field_dict["title"] = title
        if detail is not UNSET:
            field_dict["detail"] = detail
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = d.pop("code", UNSET)

        message = d.pop("message", UNSET)

        title = d.pop("title", UNSET)

        detail = d.pop("detail", UNSET)

        def _parse_status(data: object) -> int | str | Unset:
            if isinstance(data, Unset):
                return data
            return cast(int | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        globus_error_subdocument = cls(
            code=code,
            message=message,
            title=title,
            detail=detail,
            status=status,
        )

        globus_error_subdocument.additional_properties = d
        return globus_error_subdocument

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

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.run_error_detail import RunErrorDetail


T = TypeVar("T", bound="RunError")


@_attrs_define
class RunError:
    """Why a run failed.

    Example:
        {'code': 'CALLBACK_FAILED', 'message': 'The web callback answered 503 Service Unavailable.', 'detail':
            {'attempts': 3}}

    Attributes:
        code (str): A machine-readable error code.
        message (str): A human-readable message.
        detail (None | RunErrorDetail | Unset): Further details of a run's error, free-form; absent or null when there
            are none. Example: {'url': 'https://example.org/hooks/nightly', 'attempts': 3}.
    """

    code: str
    message: str
    detail: None | RunErrorDetail | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.run_error_detail import RunErrorDetail  # noqa: PLC0415

        code = self.code

        message = self.message

        detail: dict[str, Any] | None | Unset
        if isinstance(self.detail, Unset):
            detail = UNSET
        elif isinstance(self.detail, RunErrorDetail):
            detail = self.detail.to_dict()
        else:
            detail = self.detail

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
            }
        )
        if detail is not UNSET:
            field_dict["detail"] = detail

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.run_error_detail import RunErrorDetail  # noqa: PLC0415

        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        def _parse_detail(data: object) -> None | RunErrorDetail | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_run_error_detail_type_0 = RunErrorDetail.from_dict(data)

                return componentsschemas_run_error_detail_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RunErrorDetail | Unset, data)

        detail = _parse_detail(d.pop("detail", UNSET))

        run_error = cls(
            code=code,
            message=message,
            detail=detail,
        )

        run_error.additional_properties = d
        return run_error

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

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.globus_error_subdocument import GlobusErrorSubdocument
    from ..models.validation_error import ValidationError


T = TypeVar("T", bound="GlobusError")


@_attrs_define
class GlobusError:
    """The body of an error response other than 422 (S2 `TimersAPIError`). Every field is
    optional: the service answers in one of these shapes, all allowed here:
    `{"error": {"code", "detail", "status"}}`; FastAPI's `{"detail": [{"loc", "msg",
    "type"}]}` or `{"detail": "text"}`; and the common Globus `{"code", "message"}` and
    `{"errors": [...]}`.

        Example:
            {'error': {'code': 'ERROR', 'detail': 'Request failed terribly', 'status': 500}}

        Attributes:
            error (GlobusErrorSubdocument | Unset): One error within `error` or `errors`. Example: {'code': 'ERROR',
                'detail': 'Request failed terribly', 'status': 500}.
            detail (list[ValidationError] | str | Unset): FastAPI's detail, either validation problems or a text.
            code (str | Unset): A machine-readable error code.
            message (str | Unset): A human-readable message.
            request_id (str | Unset): The service's id for this request.
            errors (list[GlobusErrorSubdocument] | Unset): Individual errors.
    """

    error: GlobusErrorSubdocument | Unset = UNSET
    detail: list[ValidationError] | str | Unset = UNSET
    code: str | Unset = UNSET
    message: str | Unset = UNSET
    request_id: str | Unset = UNSET
    errors: list[GlobusErrorSubdocument] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error: dict[str, Any] | Unset = UNSET
        if not isinstance(self.error, Unset):
            error = self.error.to_dict()

        detail: list[dict[str, Any]] | str | Unset
        if isinstance(self.detail, Unset):
            detail = UNSET
        elif isinstance(self.detail, list):
            detail = []
            for detail_type_0_item_data in self.detail:
                detail_type_0_item = detail_type_0_item_data.to_dict()
                detail.append(detail_type_0_item)

        else:
            detail = self.detail

        code = self.code

        message = self.message

        request_id = self.request_id

        errors: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.errors, Unset):
            errors = []
            for errors_item_data in self.errors:
                errors_item = errors_item_data.to_dict()
                errors.append(errors_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if error is not UNSET:
            field_dict["error"] = error
        if detail is not UNSET:
            field_dict["detail"] = detail
        if code is not UNSET:
            field_dict["code"] = code
        if message is not UNSET:
            field_dict["message"] = message
        if request_id is not UNSET:
            field_dict["request_id"] = request_id
        if errors is not UNSET:
            field_dict["errors"] = errors

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.globus_error_subdocument import GlobusErrorSubdocument  # noqa: PLC0415
        from ..models.validation_error import ValidationError  # noqa: PLC0415

        d = dict(src_dict)
        _error = d.pop("error", UNSET)
        error: GlobusErrorSubdocument | Unset
        if isinstance(_error, Unset):
            error = UNSET
        else:
            error = GlobusErrorSubdocument.from_dict(_error)

        def _parse_detail(data: object) -> list[ValidationError] | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                detail_type_0 = []
                _detail_type_0 = data
                for detail_type_0_item_data in _detail_type_0:
                    detail_type_0_item = ValidationError.from_dict(detail_type_0_item_data)

                    detail_type_0.append(detail_type_0_item)

                return detail_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ValidationError] | str | Unset, data)

        detail = _parse_detail(d.pop("detail", UNSET))

        code = d.pop("code", UNSET)

        message = d.pop("message", UNSET)

        request_id = d.pop("request_id", UNSET)

        _errors = d.pop("errors", UNSET)
        errors: list[GlobusErrorSubdocument] | Unset = UNSET
        if _errors is not UNSET:
            errors = []
            for errors_item_data in _errors:
                errors_item = GlobusErrorSubdocument.from_dict(errors_item_data)

                errors.append(errors_item)

        globus_error = cls(
            error=error,
            detail=detail,
            code=code,
            message=message,
            request_id=request_id,
            errors=errors,
        )

        globus_error.additional_properties = d
        return globus_error

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

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.job_inactive_reason_cause import JobInactiveReasonCause
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.job_inactive_reason_detail import JobInactiveReasonDetail


T = TypeVar("T", bound="JobInactiveReason")


@_attrs_define
class JobInactiveReason:
    """Why the timer is inactive; absent or null when it is not.

    Example:
        {'cause': 'globus_auth_requirements', 'detail': {'code': 'ConsentRequired', 'authorization_parameters':
            {'session_message': 'Missing required data_access consent'}}}

    Attributes:
        cause (JobInactiveReasonCause): `user`: paused by a user; `globus_auth_requirements`: the timer needs new
            consents or credentials (see `detail`).
        detail (JobInactiveReasonDetail | None | Unset): Details of an inactive timer's cause, free-form (e.g. the
            Globus Auth requirements
            the timer needs); null when there are none. S1 declares it inline as a free-form
            object; it is a named component here only because openapi-python-client 0.29.1
            cannot generate an inline nullable object inside a nullable component.
             Example: {'code': 'ConsentRequired', 'authorization_parameters': {'session_message': 'Missing required
            data_access consent'}}.
    """

    cause: JobInactiveReasonCause
    detail: JobInactiveReasonDetail | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.job_inactive_reason_detail import JobInactiveReasonDetail  # noqa: PLC0415

        cause = self.cause.value

        detail: dict[str, Any] | None | Unset
        if isinstance(self.detail, Unset):
            detail = UNSET
        elif isinstance(self.detail, JobInactiveReasonDetail):
            detail = self.detail.to_dict()
        else:
            detail = self.detail

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "cause": cause,
            }
        )
        if detail is not UNSET:
            field_dict["detail"] = detail

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.job_inactive_reason_detail import JobInactiveReasonDetail  # noqa: PLC0415

        d = dict(src_dict)
        cause = JobInactiveReasonCause(d.pop("cause"))

        def _parse_detail(data: object) -> JobInactiveReasonDetail | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_job_inactive_reason_detail_type_0 = JobInactiveReasonDetail.from_dict(data)

                return componentsschemas_job_inactive_reason_detail_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobInactiveReasonDetail | None | Unset, data)

        detail = _parse_detail(d.pop("detail", UNSET))

        job_inactive_reason = cls(
            cause=cause,
            detail=detail,
        )

        job_inactive_reason.additional_properties = d
        return job_inactive_reason

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

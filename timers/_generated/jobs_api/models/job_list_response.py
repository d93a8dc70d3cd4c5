from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.flow_timer_read import FlowTimerRead
    from ..models.job_read import JobRead


T = TypeVar("T", bound="JobListResponse")


@_attrs_define
class JobListResponse:
    """The caller's timers (S1 `JobListResponse`).

    Example:
        {'jobs': []}

    Attributes:
        jobs (list[FlowTimerRead | JobRead]): The timers; flow timers carry `flow_id` as well.
    """

    jobs: list[FlowTimerRead | JobRead]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.flow_timer_read import FlowTimerRead  # noqa: PLC0415

        jobs = []
        for jobs_item_data in self.jobs:
            jobs_item: dict[str, Any]
            if isinstance(jobs_item_data, FlowTimerRead):
                jobs_item = jobs_item_data.to_dict()
            else:
                jobs_item = jobs_item_data.to_dict()

            jobs.append(jobs_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "jobs": jobs,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.flow_timer_read import FlowTimerRead  # noqa: PLC0415
        from ..models.job_read import JobRead  # noqa: PLC0415

        d = dict(src_dict)
        jobs = []
        _jobs = d.pop("jobs")
        for jobs_item_data in _jobs:

            def _parse_jobs_item(data: object) -> FlowTimerRead | JobRead:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    jobs_item_type_0 = FlowTimerRead.from_dict(data)

                    return jobs_item_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                jobs_item_type_1 = JobRead.from_dict(data)

                return jobs_item_type_1

            jobs_item = _parse_jobs_item(jobs_item_data)

            jobs.append(jobs_item)

        job_list_response = cls(
            jobs=jobs,
        )

        job_list_response.additional_properties = d
        return job_list_response

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

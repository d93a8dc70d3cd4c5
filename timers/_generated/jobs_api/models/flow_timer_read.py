from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.supported_timer_type import SupportedTimerType
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.api_timer_activity_awaiting import ApiTimerActivityAwaiting
    from ..models.api_timer_activity_in_progress import ApiTimerActivityInProgress
    from ..models.api_timer_activity_paused import ApiTimerActivityPaused
    from ..models.api_timer_activity_retrying import ApiTimerActivityRetrying
    from ..models.job_inactive_reason import JobInactiveReason
    from ..models.job_read_callback_body import JobReadCallbackBody
    from ..models.job_result_page import JobResultPage
    from ..models.once_schedule import OnceSchedule
    from ..models.recurring_schedule import RecurringSchedule
    from ..models.stop_after import StopAfter


T = TypeVar("T", bound="FlowTimerRead")


@_attrs_define
class FlowTimerRead:
    """A flow timer: every field of `JobRead` plus the required `flow_id`. Its
    `callback_url` is the flow's run URL.

        Attributes:
            timer_type (str | SupportedTimerType): The type of the timer. Clients must accept types not listed in
                `SupportedTimerType`.
            callback_url (str): The URL the timer calls on each run (an action provider or a flow).
            callback_body (JobReadCallbackBody): The body the timer sends to `callback_url` on each run.
            start (datetime.datetime): When the timer starts.
            job_id (UUID): The timer's id.
            status (str): The timer's status (S2 shows `new`, `loaded` and `inactive`; `list_jobs`
                documents `active`, `inactive` and `ended` as filters). No enum is published.
            submitted_at (datetime.datetime): When the timer was created.
            n_runs (int): How many times the timer has run. (At least 0: ours, as a count; the client refuses a negative
                one.)
            n_errors (int): How many of the timer's runs failed.
            results (JobResultPage): One page of a timer's results. Pass `page_next` as `results_pt` to get the next
                page; it is absent or null on the last page. (Timers read through the v2 API send
                `results: []` instead of a page.)
                 Example: {'data': [], 'page_next': None}.
            schedule (OnceSchedule | RecurringSchedule): When the timer runs.
            stop_after (None | StopAfter): When the timer stops: after a date, after a number of runs, or neither. S2 sends
                null for a timer without a stop condition.
                 Example: {'date': None, 'n_runs': 1}.
            flow_id (UUID): The id of the flow the timer starts.
            name (None | str | Unset): The timer's name.
            interval (float | None | Unset): Seconds between runs; absent or null for a timer that runs once.
            scope (None | str | Unset): The scope the timer's callback is run with.
            inactive_reason (JobInactiveReason | None | Unset): Why the timer is inactive; absent or null when it is not.
                Example: {'cause': 'globus_auth_requirements', 'detail': {'code': 'ConsentRequired', 'authorization_parameters':
                {'session_message': 'Missing required data_access consent'}}}.
            last_ran_at (datetime.datetime | None | Unset): When the timer last ran; absent or null if it has not run.
            next_run (datetime.datetime | None | Unset): When the timer runs next; absent or null if it will not run again.
            activity (ApiTimerActivityAwaiting | ApiTimerActivityInProgress | ApiTimerActivityPaused |
                ApiTimerActivityRetrying | None | Unset): What the timer is doing now.
    """

    timer_type: str | SupportedTimerType
    callback_url: str
    callback_body: JobReadCallbackBody
    start: datetime.datetime
    job_id: UUID
    status: str
    submitted_at: datetime.datetime
    n_runs: int
    n_errors: int
    results: JobResultPage
    schedule: OnceSchedule | RecurringSchedule
    stop_after: None | StopAfter
    flow_id: UUID
    name: None | str | Unset = UNSET
    interval: float | None | Unset = UNSET
    scope: None | str | Unset = UNSET
    inactive_reason: JobInactiveReason | None | Unset = UNSET
    last_ran_at: datetime.datetime | None | Unset = UNSET
    next_run: datetime.datetime | None | Unset = UNSET
    activity: (
        ApiTimerActivityAwaiting
        | ApiTimerActivityInProgress
        | ApiTimerActivityPaused
        | ApiTimerActivityRetrying
        | None
        | Unset
    ) = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.api_timer_activity_awaiting import ApiTimerActivityAwaiting  # noqa: PLC0415
        from ..models.api_timer_activity_in_progress import ApiTimerActivityInProgress  # noqa: PLC0415
        from ..models.api_timer_activity_paused import ApiTimerActivityPaused  # noqa: PLC0415
        from ..models.api_timer_activity_retrying import ApiTimerActivityRetrying  # noqa: PLC0415
        from ..models.job_inactive_reason import JobInactiveReason  # noqa: PLC0415
        from ..models.once_schedule import OnceSchedule  # noqa: PLC0415
        from ..models.stop_after import StopAfter  # noqa: PLC0415

        timer_type: str
        if isinstance(self.timer_type, SupportedTimerType):
            timer_type = self.timer_type.value
        else:
            timer_type = self.timer_type

        callback_url = self.callback_url

        callback_body = self.callback_body.to_dict()

        start = self.start.isoformat()

        job_id = str(self.job_id)

        status = self.status

        submitted_at = self.submitted_at.isoformat()

        n_runs = self.n_runs

        n_errors = self.n_errors

        results = self.results.to_dict()

        schedule: dict[str, Any]
        if isinstance(self.schedule, OnceSchedule):
            schedule = self.schedule.to_dict()
        else:
            schedule = self.schedule.to_dict()

        stop_after: dict[str, Any] | None
        if isinstance(self.stop_after, StopAfter):
            stop_after = self.stop_after.to_dict()
        else:
            stop_after = self.stop_after

        flow_id = str(self.flow_id)

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        interval: float | None | Unset
        if isinstance(self.interval, Unset):
            interval = UNSET
        else:
            interval = self.interval

        scope: None | str | Unset
        if isinstance(self.scope, Unset):
            scope = UNSET
        else:
            scope = self.scope

        inactive_reason: dict[str, Any] | None | Unset
        if isinstance(self.inactive_reason, Unset):
            inactive_reason = UNSET
        elif isinstance(self.inactive_reason, JobInactiveReason):
            inactive_reason = self.inactive_reason.to_dict()
        else:
            inactive_reason = self.inactive_reason

        last_ran_at: None | str | Unset
        if isinstance(self.last_ran_at, Unset):
            last_ran_at = UNSET
        elif isinstance(self.last_ran_at, datetime.datetime):
            last_ran_at = self.last_ran_at.isoformat()
        else:
            last_ran_at = self.last_ran_at

        next_run: None | str | Unset
        if isinstance(self.next_run, Unset):
            next_run = UNSET
        elif isinstance(self.next_run, datetime.datetime):
            next_run = self.next_run.isoformat()
        else:
            next_run = self.next_run

        activity: dict[str, Any] | None | Unset
        if isinstance(self.activity, Unset):
            activity = UNSET
        elif isinstance(self.activity, ApiTimerActivityAwaiting):
            activity = self.activity.to_dict()
        elif isinstance(self.activity, ApiTimerActivityInProgress):
            activity = self.activity.to_dict()
        elif isinstance(self.activity, ApiTimerActivityRetrying):
            activity = self.activity.to_dict()
        elif isinstance(self.activity, ApiTimerActivityPaused):
            activity = self.activity.to_dict()
        else:
            activity = self.activity

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "timer_type": timer_type,
                "callback_url": callback_url,
                "callback_body": callback_body,
                "start": start,
                "job_id": job_id,
                "status": status,
                "submitted_at": submitted_at,
                "n_runs": n_runs,
                "n_errors": n_errors,
                "results": results,
                "schedule": schedule,
                "stop_after": stop_after,
                "flow_id": flow_id,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if interval is not UNSET:
            field_dict["interval"] = interval
        if scope is not UNSET:
            field_dict["scope"] = scope
        if inactive_reason is not UNSET:
            field_dict["inactive_reason"] = inactive_reason
        if last_ran_at is not UNSET:
            field_dict["last_ran_at"] = last_ran_at
        if next_run is not UNSET:
            field_dict["next_run"] = next_run
        if activity is not UNSET:
            field_dict["activity"] = activity

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.api_timer_activity_awaiting import ApiTimerActivityAwaiting  # noqa: PLC0415
        from ..models.api_timer_activity_in_progress import ApiTimerActivityInProgress  # noqa: PLC0415
        from ..models.api_timer_activity_paused import ApiTimerActivityPaused  # noqa: PLC0415
        from ..models.api_timer_activity_retrying import ApiTimerActivityRetrying  # noqa: PLC0415
        from ..models.job_inactive_reason import JobInactiveReason  # noqa: PLC0415
        from ..models.job_read_callback_body import JobReadCallbackBody  # noqa: PLC0415
        from ..models.job_result_page import JobResultPage  # noqa: PLC0415
        from ..models.once_schedule import OnceSchedule  # noqa: PLC0415
        from ..models.recurring_schedule import RecurringSchedule  # noqa: PLC0415
        from ..models.stop_after import StopAfter  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_timer_type(data: object) -> str | SupportedTimerType:
            try:
                if not isinstance(data, str):
                    raise TypeError()
                timer_type_type_0 = SupportedTimerType(data)

                return timer_type_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(str | SupportedTimerType, data)

        timer_type = _parse_timer_type(d.pop("timer_type"))

        callback_url = d.pop("callback_url")

        callback_body = JobReadCallbackBody.from_dict(d.pop("callback_body"))

        start = datetime.datetime.fromisoformat(d.pop("start"))

        job_id = UUID(d.pop("job_id"))

        status = d.pop("status")

        submitted_at = datetime.datetime.fromisoformat(d.pop("submitted_at"))

        n_runs = d.pop("n_runs")

        n_errors = d.pop("n_errors")

        results = JobResultPage.from_dict(d.pop("results"))

        def _parse_schedule(data: object) -> OnceSchedule | RecurringSchedule:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                schedule_type_0 = OnceSchedule.from_dict(data)

                return schedule_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            schedule_type_1 = RecurringSchedule.from_dict(data)

            return schedule_type_1

        schedule = _parse_schedule(d.pop("schedule"))

        def _parse_stop_after(data: object) -> None | StopAfter:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_stop_after_type_0 = StopAfter.from_dict(data)

                return componentsschemas_stop_after_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StopAfter, data)

        stop_after = _parse_stop_after(d.pop("stop_after"))

        flow_id = UUID(d.pop("flow_id"))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_interval(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        interval = _parse_interval(d.pop("interval", UNSET))

        def _parse_scope(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        scope = _parse_scope(d.pop("scope", UNSET))

        def _parse_inactive_reason(data: object) -> JobInactiveReason | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_job_inactive_reason_type_0 = JobInactiveReason.from_dict(data)

                return componentsschemas_job_inactive_reason_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(JobInactiveReason | None | Unset, data)

        inactive_reason = _parse_inactive_reason(d.pop("inactive_reason", UNSET))

        def _parse_last_ran_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_ran_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_ran_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_ran_at = _parse_last_ran_at(d.pop("last_ran_at", UNSET))

        def _parse_next_run(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_run_type_0 = datetime.datetime.fromisoformat(data)

                return next_run_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        next_run = _parse_next_run(d.pop("next_run", UNSET))

        def _parse_activity(
            data: object,
        ) -> (
            ApiTimerActivityAwaiting
            | ApiTimerActivityInProgress
            | ApiTimerActivityPaused
            | ApiTimerActivityRetrying
            | None
            | Unset
        ):
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_api_timer_activity_awaiting_type_0 = ApiTimerActivityAwaiting.from_dict(data)

                return componentsschemas_api_timer_activity_awaiting_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_api_timer_activity_in_progress_type_0 = ApiTimerActivityInProgress.from_dict(data)

                return componentsschemas_api_timer_activity_in_progress_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_api_timer_activity_retrying_type_0 = ApiTimerActivityRetrying.from_dict(data)

                return componentsschemas_api_timer_activity_retrying_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                componentsschemas_api_timer_activity_paused_type_0 = ApiTimerActivityPaused.from_dict(data)

                return componentsschemas_api_timer_activity_paused_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                ApiTimerActivityAwaiting
                | ApiTimerActivityInProgress
                | ApiTimerActivityPaused
                | ApiTimerActivityRetrying
                | None
                | Unset,
                data,
            )

        activity = _parse_activity(d.pop("activity", UNSET))

        flow_timer_read = cls(
            timer_type=timer_type,
            callback_url=callback_url,
            callback_body=callback_body,
            start=start,
            job_id=job_id,
            status=status,
            submitted_at=submitted_at,
            n_runs=n_runs,
            n_errors=n_errors,
            results=results,
            schedule=schedule,
            stop_after=stop_after,
            flow_id=flow_id,
            name=name,
            interval=interval,
            scope=scope,
            inactive_reason=inactive_reason,
            last_ran_at=last_ran_at,
            next_run=next_run,
            activity=activity,
        )

        flow_timer_read.additional_properties = d
        return flow_timer_read

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

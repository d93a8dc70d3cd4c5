"""Contains all the data models used in inputs/outputs"""

from .api_timer_activity_awaiting import ApiTimerActivityAwaiting
from .api_timer_activity_awaiting_code import ApiTimerActivityAwaitingCode
from .api_timer_activity_in_progress import ApiTimerActivityInProgress
from .api_timer_activity_in_progress_code import ApiTimerActivityInProgressCode
from .api_timer_activity_paused import ApiTimerActivityPaused
from .api_timer_activity_paused_code import ApiTimerActivityPausedCode
from .api_timer_activity_paused_reason import ApiTimerActivityPausedReason
from .api_timer_activity_retrying import ApiTimerActivityRetrying
from .api_timer_activity_retrying_code import ApiTimerActivityRetryingCode
from .end_condition_iterations import EndConditionIterations
from .end_condition_iterations_condition import EndConditionIterationsCondition
from .end_condition_time import EndConditionTime
from .end_condition_time_condition import EndConditionTimeCondition
from .flow_timer_read import FlowTimerRead
from .globus_error import GlobusError
from .globus_error_subdocument import GlobusErrorSubdocument
from .http_validation_error import HTTPValidationError
from .job_inactive_reason import JobInactiveReason
from .job_inactive_reason_cause import JobInactiveReasonCause
from .job_inactive_reason_detail import JobInactiveReasonDetail
from .job_list_response import JobListResponse
from .job_read import JobRead
from .job_read_callback_body import JobReadCallbackBody
from .job_result import JobResult
from .job_result_data import JobResultData
from .job_result_errors import JobResultErrors
from .job_result_page import JobResultPage
from .once_schedule import OnceSchedule
from .once_schedule_type import OnceScheduleType
from .recurring_schedule import RecurringSchedule
from .recurring_schedule_type import RecurringScheduleType
from .stop_after import StopAfter
from .supported_timer_type import SupportedTimerType
from .validation_error import ValidationError

__all__ = (
    "ApiTimerActivityAwaiting",
    "ApiTimerActivityAwaitingCode",
    "ApiTimerActivityInProgress",
    "ApiTimerActivityInProgressCode",
    "ApiTimerActivityPaused",
    "ApiTimerActivityPausedCode",
    "ApiTimerActivityPausedReason",
    "ApiTimerActivityRetrying",
    "ApiTimerActivityRetryingCode",
    "EndConditionIterations",
    "EndConditionIterationsCondition",
    "EndConditionTime",
    "EndConditionTimeCondition",
    "FlowTimerRead",
    "GlobusError",
    "GlobusErrorSubdocument",
    "HTTPValidationError",
    "JobInactiveReason",
    "JobInactiveReasonCause",
    "JobInactiveReasonDetail",
    "JobListResponse",
    "JobRead",
    "JobReadCallbackBody",
    "JobResult",
    "JobResultData",
    "JobResultErrors",
    "JobResultPage",
    "OnceSchedule",
    "OnceScheduleType",
    "RecurringSchedule",
    "RecurringScheduleType",
    "StopAfter",
    "SupportedTimerType",
    "ValidationError",
)

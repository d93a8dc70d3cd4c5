"""Contains all the data models used in inputs/outputs"""

from .error import Error
from .error_detail import ErrorDetail
from .run_error import RunError
from .run_error_detail import RunErrorDetail
from .run_list import RunList
from .run_result import RunResult
from .run_status import RunStatus
from .timer_run import TimerRun

__all__ = (
    "Error",
    "ErrorDetail",
    "RunError",
    "RunErrorDetail",
    "RunList",
    "RunResult",
    "RunStatus",
    "TimerRun",
)

from enum import StrEnum


class ApiTimerActivityInProgressCode(StrEnum):
    RUN_IN_PROGRESS = "run_in_progress"

    def __str__(self) -> str:
        return str(self.value)

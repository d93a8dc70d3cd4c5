from enum import StrEnum


class RunStatus(StrEnum):
    FAILURE = "failure"
    IN_PROGRESS = "in_progress"
    PENDING = "pending"
    SUCCESS = "success"

    def __str__(self) -> str:
        return str(self.value)

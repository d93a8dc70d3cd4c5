from enum import StrEnum


class ApiTimerActivityRetryingCode(StrEnum):
    RETRYING = "retrying"

    def __str__(self) -> str:
        return str(self.value)

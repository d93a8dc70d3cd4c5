from enum import StrEnum


class ApiTimerActivityPausedCode(StrEnum):
    PAUSED = "paused"

    def __str__(self) -> str:
        return str(self.value)

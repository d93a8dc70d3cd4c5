from enum import StrEnum


class ApiTimerActivityAwaitingCode(StrEnum):
    AWAITING_NEXT_RUN = "awaiting_next_run"

    def __str__(self) -> str:
        return str(self.value)

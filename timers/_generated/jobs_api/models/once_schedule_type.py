from enum import StrEnum


class OnceScheduleType(StrEnum):
    ONCE = "once"

    def __str__(self) -> str:
        return str(self.value)

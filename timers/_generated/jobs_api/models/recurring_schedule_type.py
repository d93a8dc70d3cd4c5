from enum import StrEnum


class RecurringScheduleType(StrEnum):
    RECURRING = "recurring"

    def __str__(self) -> str:
        return str(self.value)

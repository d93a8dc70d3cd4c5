from enum import StrEnum


class EndConditionTimeCondition(StrEnum):
    TIME = "time"

    def __str__(self) -> str:
        return str(self.value)

from enum import StrEnum


class EndConditionIterationsCondition(StrEnum):
    ITERATIONS = "iterations"

    def __str__(self) -> str:
        return str(self.value)

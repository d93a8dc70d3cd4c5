from enum import StrEnum


class SupportedTimerType(StrEnum):
    FLOW = "flow"
    GENERIC = "generic"
    TRANSFER = "transfer"

    def __str__(self) -> str:
        return str(self.value)

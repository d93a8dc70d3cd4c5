from enum import StrEnum


class ApiTimerActivityPausedReason(StrEnum):
    GLOBUS_AUTH_REQUIREMENTS = "globus_auth_requirements"
    OTHER = "other"
    USER = "user"

    def __str__(self) -> str:
        return str(self.value)

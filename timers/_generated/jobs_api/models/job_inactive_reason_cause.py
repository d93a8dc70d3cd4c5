from enum import StrEnum


class JobInactiveReasonCause(StrEnum):
    GLOBUS_AUTH_REQUIREMENTS = "globus_auth_requirements"
    USER = "user"

    def __str__(self) -> str:
        return str(self.value)

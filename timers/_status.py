"""``RunStatus``: the open enum of a run's statuses, and ``status_of``, its fast lookup."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["RunStatus", "status_named", "status_of"]


class RunStatus(StrEnum):
    """The status of a timer run.

    A ``str`` enum, so members compare equal to the service's strings::

        >>> RunStatus.SUCCESS == "success"
        True
        >>> RunStatus.IN_PROGRESS.is_terminal
        False

    The service may add statuses. A value this enum does not list still parses: it becomes a
    ``RunStatus`` that equals the server's string, is not terminal and not known::

        >>> s = RunStatus("paused")
        >>> s == "paused", s.is_terminal, s.is_known
        (True, False, False)

    So a ``match`` on a status needs a ``case _:`` branch, though type checkers take the four
    members as all there is (do not ``assert_never`` there).
    """

    _value_: str  # any string the service sends, not only the four members' values

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    SUCCESS = "success"
    FAILURE = "failure"

    @property
    def is_terminal(self) -> bool:
        """True for ``SUCCESS`` and ``FAILURE``: the run will not change any more."""
        return self is RunStatus.SUCCESS or self is RunStatus.FAILURE

    @property
    def is_known(self) -> bool:
        """True for the four statuses the spec lists; False for a value the service added."""
        return self._name_ != _UNKNOWN_NAME

    @classmethod
    def _missing_(cls, value: object) -> RunStatus | None:
        # An open enum: keep statuses the spec does not list instead of failing the whole run.
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = _UNKNOWN_NAME
        member._value_ = value
        return member

    @classmethod
    def known(cls) -> tuple[RunStatus, ...]:
        """The four statuses the spec lists, in lifecycle order."""
        return (cls.PENDING, cls.IN_PROGRESS, cls.SUCCESS, cls.FAILURE)


_UNKNOWN_NAME = "UNKNOWN"


_KNOWN_STATUSES = {status.value: status for status in RunStatus}
_MAX_STATUSES = 256  # statuses the service added, remembered (a hostile one cannot grow it)


def status_of(text: str) -> RunStatus:
    """``RunStatus(text)``, fast: each status string becomes its member once."""
    status = _KNOWN_STATUSES.get(text)
    if status is None:
        status = RunStatus(text)
        if len(_KNOWN_STATUSES) < _MAX_STATUSES:
            _KNOWN_STATUSES[text] = status
    return status


_BY_NAME = {status.value: status for status in RunStatus.known()}


def status_named(text: str) -> RunStatus:
    """The listed status that ``text`` names in any case, else ``text`` kept as it is (a
    status that is not known): how ``api="jobs"`` reads ``run_status``, whose values are not
    published.

        >>> status_named("FAILURE"), status_named("FAILED").is_known
        (<RunStatus.FAILURE: 'failure'>, False)
    """
    return _BY_NAME.get(text.lower()) or status_of(text)

"""``RunStatus``: the open enum of a run's statuses, and ``status_of``, its fast lookup.

At runtime ``RunStatus`` is a ``StrEnum`` that also keeps any status the service adds. Type
checkers are shown what that means for code that reads one: a ``str`` with four named values
(the ``TYPE_CHECKING`` view below), so that a ``match`` or an ``if`` over the four without a
fallback is reported, the fallback is checked, and a comparison with another status string
is not taken for one that is always False.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Final, cast

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

__all__ = ["RunStatus", "status_named", "status_of"]


class _RunStatus(StrEnum):
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

    So a ``match`` on a status needs a ``case _:`` branch, and type checkers ask for it: they
    see a ``str`` with four named values, not an enum of four.
    """

    _value_: str  # any string the service sends, not only the four members' values

    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    SUCCESS = "success"
    FAILURE = "failure"

    @property
    def is_terminal(self) -> bool:
        """True for ``SUCCESS`` and ``FAILURE``: the run will not change any more."""
        return self is _RunStatus.SUCCESS or self is _RunStatus.FAILURE

    @property
    def is_known(self) -> bool:
        """True for the four statuses the spec lists; False for a value the service added."""
        return self._name_ != _UNKNOWN_NAME

    @classmethod
    def _missing_(cls, value: object) -> _RunStatus | None:
        # An open enum: keep statuses the spec does not list instead of failing the whole run.
        if not isinstance(value, str):
            return None
        member = str.__new__(cls, value)
        member._name_ = _UNKNOWN_NAME
        member._value_ = value
        return member

    @classmethod
    def known(cls) -> tuple[_RunStatus, ...]:
        """The four statuses the spec lists, in lifecycle order."""
        return (cls.PENDING, cls.IN_PROGRESS, cls.SUCCESS, cls.FAILURE)


# Its repr, its errors ("5 is not a valid RunStatus") and pickle's name for it (which every
# version can load) are those of the public name.
_RunStatus.__name__ = _RunStatus.__qualname__ = "RunStatus"
_UNKNOWN_NAME = "UNKNOWN"

if TYPE_CHECKING:

    class _Statuses(type):
        @property
        def __members__(cls) -> Mapping[str, RunStatus]: ...
        def __iter__(cls) -> Iterator[RunStatus]: ...
        def __getitem__(cls, name: str) -> RunStatus: ...
        def __len__(cls) -> int: ...

    class RunStatus(str, metaclass=_Statuses):  # not final: at runtime it is an Enum too
        """The status of a timer run: to type checkers, a ``str`` with four named values (at
        runtime an open ``StrEnum``, ``_RunStatus``, that also keeps statuses the service
        adds), so that code over the four needs a fallback. It is not an ``Enum`` to them:
        annotate with ``RunStatus``, not ``Literal[RunStatus.SUCCESS]`` or ``enum.Enum``."""

        PENDING: Final[RunStatus] = cast("RunStatus", "pending")
        IN_PROGRESS: Final[RunStatus] = cast("RunStatus", "in_progress")
        SUCCESS: Final[RunStatus] = cast("RunStatus", "success")
        FAILURE: Final[RunStatus] = cast("RunStatus", "failure")

        def __new__(cls, value: str) -> RunStatus:
            """The status named ``value``: a listed one, or one the service added."""

        @property
        def name(self) -> str:
            """The member's name (``"UNKNOWN"`` for a status the service added)."""

        @property
        def value(self) -> str:
            """The service's string."""

        @property
        def is_terminal(self) -> bool:
            """True for ``SUCCESS`` and ``FAILURE``: the run will not change any more."""

        @property
        def is_known(self) -> bool:
            """True for the four statuses the spec lists; False for a value the service
            added."""

        @classmethod
        def known(cls) -> tuple[RunStatus, ...]:
            """The four statuses the spec lists, in lifecycle order."""

else:
    RunStatus = _RunStatus


_KNOWN_STATUSES = {status.value: cast("RunStatus", status) for status in _RunStatus}
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

"""The named records of a pressure check.

A check reads the company's :class:`Rule` records (cached per company), turns
them into the :class:`Window` records that apply to one :class:`Message`,
asks the counting statement for the :class:`Person` records it could not
allow at once, and decides each of them into a :class:`Verdict`.

The flag that a message is transactional (counted, never capped) is called
``exempt`` everywhere here; the contact log's column is ``is_transactional``.
"""

from datetime import datetime
from typing import NamedTuple

# windows of a person's own cap (calendar periods, every channel)
OWN_PERIODS = ("week", "month")


class Rule(NamedTuple):
    """An active ``campaign.pressure.rule`` as plain data."""

    id: int
    name: str
    channels: tuple  # channel codes
    window_type: str  # rolling, calendar or both
    days: int  # rolling window length
    period: str  # calendar period: day, week, month
    max: int
    scope: str  # all, marketing, campaign, tag
    campaign_ids: tuple = ()
    tag_ids: tuple = ()
    phone_action: str = "warn"


class Config(NamedTuple):
    """What a company's checks read: its rules and cool-down factor."""

    rules: tuple  # of Rule
    cooldown_factor: float = 0.5


class Window(NamedTuple):
    """One window a message is counted in: a rule's rolling or calendar
    window, or the person's own cap of a period (``rule`` None, ``own`` the
    period)."""

    kind: str  # rolling or calendar
    days: int
    period: str
    channels: tuple | None  # None: every channel
    scope: str
    rule: Rule | None = None
    own: str | None = None

    @property
    def threshold(self):
        """The rule's maximum; None for a person's own cap (theirs)."""
        return self.rule.max if self.rule else None


class Planned(NamedTuple):
    """A contact planned by a mailing that wins arbitration."""

    channel: str
    weight: int
    exempt: bool
    campaign_id: int | None
    tag_ids: tuple


class Message(NamedTuple):
    """The message checked, as the decision sees it."""

    channel: str
    weight: int = 1
    exempt: bool = False
    campaign_id: int | None = None
    tag_ids: tuple = ()
    # the message can wait for the end of quiet hours and days (email)
    postpone_quiet: bool = False
    # person key -> Planned contacts of mailings winning arbitration
    reserved: dict = {}  # noqa: RUF012 (never mutated)


class Person(NamedTuple):
    """A person the counting statement left to decide, with their settings
    and their weighted contacts per window (``counts``, in window order)."""

    key: str
    pid: int | None
    tz: str | None
    max_contacts: int | None
    period: str | None
    quiet_from: float | None
    quiet_to: float | None
    quiet_days: int | None  # bit 1 << weekday per quiet day
    cooldown_until: datetime | None
    cooldown_reason: str | None
    blocked: bool
    counts: tuple


# the statement's columns of a Person, after key and pid (then the counts)
PERSON_COLUMNS = (
    "tz",
    "pressure_max_contacts",
    "pressure_period",
    "pressure_quiet_from",
    "pressure_quiet_to",
    "quiet_days",
    "pressure_cooldown_until",
    "pressure_cooldown_reason",
    "blocked",
)


class Verdict(NamedTuple):
    """The decision on one request of a person left to decide. Held back
    (``allowed`` false): why, as a reason code and its arguments (rendered
    in the reader's language by the model), and what a phone call does."""

    allowed: bool = True
    code: str | bool = False
    args: dict | None = None
    rule_id: int | bool = False
    count: int = 0
    threshold: int = 0
    phone_action: str = "warn"
    postpone_until: datetime | None = None


ALLOWED = Verdict()

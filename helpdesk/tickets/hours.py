"""Business hours (``HELPDESK_BUSINESS_HOURS``) and what the customer is told at handoff.

Format: comma-separated ``Day[-Day] HH:MM-HH:MM`` rules in ``HELPDESK_TIMEZONE``, e.g.
``Mon-Fri 09:00-18:00, Sat 10:00-14:00``; ``24:00`` ends at midnight. Hand-written: the
format is tiny and no maintained library parses this human form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from helpdesk.errors import ConfigurationError
from helpdesk.settings import get_settings

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
}


@dataclass(frozen=True)
class Rule:
    days: frozenset[int]
    start: int  # minutes since midnight
    end: int


def parse(spec: str) -> list[Rule]:
    rules = []
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        try:
            day_part, hour_part = part.split()
            first, _, last = day_part.lower().partition("-")
            a, b = DAYS.index(first[:3]), DAYS.index((last or first)[:3])
            days = (
                frozenset(range(a, b + 1)) if a <= b else frozenset([*range(a, 7), *range(b + 1)])
            )
            start_s, end_s = hour_part.split("-")
            rules.append(Rule(days, _minutes(start_s), _minutes(end_s)))
        except ValueError as error:
            raise ConfigurationError(
                f"HELPDESK_BUSINESS_HOURS: cannot read {part!r}",
                hint='Write it like "Mon-Fri 09:00-18:00, Sat 10:00-14:00".',
            ) from error
    return rules


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    total = int(hours) * 60 + int(minutes)
    if not 0 <= total <= 24 * 60:
        raise ValueError(value)
    return total


def is_open(rules: list[Rule], now: datetime) -> bool:
    minute = now.hour * 60 + now.minute
    return any(now.weekday() in r.days and r.start <= minute < r.end for r in rules)


def next_opening(rules: list[Rule], now: datetime) -> datetime | None:
    for offset in range(8):
        day = (now + timedelta(days=offset)).date()
        starts = sorted(r.start for r in rules if day.weekday() in r.days)
        for start in starts:
            moment = datetime.combine(day, time(start // 60, start % 60), tzinfo=now.tzinfo)
            if moment > now:
                return moment
    return None


def local_now(zone: str, now: datetime | None = None) -> datetime:
    now = now or datetime.now(timezone.utc)
    return now.astimezone(ZoneInfo(zone))


def handoff_notice(
    *,
    ticket_id: int,
    position: int,
    language: str,
    now: datetime | None = None,
    business_hours: str | None = None,
    zone: str | None = None,
    wait_minutes: int | None = None,
) -> str:
    """What the bot tells the customer after ``open_ticket`` (English or Spanish)."""
    settings = get_settings()
    spec = business_hours or settings.business_hours
    here = local_now(zone or settings.timezone, now)
    rules = parse(spec)
    es = language == "es"
    text = (
        f"Tu caso es el número #{ticket_id}. Un agente te responderá aquí mismo; "
        f"tienes {position - 1} caso(s) por delante."
        if es
        else f"Your case number is #{ticket_id}. An agent will reply right here; "
        f"there {'is' if position == 2 else 'are'} {position - 1} case(s) ahead of you."
    )
    open_now = is_open(rules, here)
    if open_now and wait_minutes:
        text += (
            f" Normalmente respondemos en unos {wait_minutes} minutos."
            if es
            else f" We usually reply within about {wait_minutes} minutes."
        )
    if not open_now:
        opening = next_opening(rules, here)
        when = (
            f"{DAY_NAMES['es' if es else 'en'][opening.weekday()]} {opening:%H:%M}"
            if opening
            else ""
        )
        text += (
            f" Ahora estamos fuera de horario ({spec}); te responderemos el {when}."
            if es
            else f" We are closed right now (hours: {spec}); we will reply on {when}."
        )
    text += (
        " Puedes seguir enviando mensajes o fotos, o escribir «cancelar»."
        if es
        else " You can keep sending messages or photos, or write “cancel”."
    )
    return text

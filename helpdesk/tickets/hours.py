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
        if es
        else f"Your case number is #{ticket_id}. An agent will reply right here; "
    ) + _queue_words(position - 1, language)
    open_now = is_open(rules, here)
    if open_now and wait_minutes:
        text += (
            f" Normalmente respondemos en unos {wait_minutes} minutos."
            if es
            else f" We usually reply within about {wait_minutes} minutes."
        )
    if not open_now:
        opening = next_opening(rules, here)
        shown = hours_text(rules, language)
        if opening is None:
            text += (
                f" Ahora estamos fuera de horario (atendemos {shown})."
                if es
                else f" We are closed right now (we are open {shown})."
            )
        else:
            day = DAY_NAMES["es" if es else "en"][opening.weekday()]
            text += (
                f" Ahora estamos fuera de horario (atendemos {shown}); "
                f"te responderemos el {day} a las {opening:%H:%M}."
                if es
                else f" We are closed right now (we are open {shown}); "
                f"we will reply on {day} at {opening:%H:%M}."
            )
    text += (
        " Puedes seguir enviando mensajes o fotos, o escribir «cancelar»."
        if es
        else " You can keep sending messages or photos, or write “cancel”."
    )
    return text


def _queue_words(ahead: int, language: str) -> str:
    """The place in the queue as an agent would say it: "you're next", "1 case", "3 cases"."""
    if language == "es":
        if ahead <= 0:
            return "eres el siguiente en la cola."
        return f"hay {ahead} {'caso' if ahead == 1 else 'casos'} antes que el tuyo."
    if ahead <= 0:
        return "you're next in line."
    if ahead == 1:
        return "there is 1 case ahead of yours."
    return f"there are {ahead} cases ahead of yours."


def hours_text(rules: list[Rule], language: str) -> str:
    """Opening hours in the customer's words: "lunes a viernes de 09:00 a 18:00"."""
    es = language == "es"
    names = DAY_NAMES["es" if es else "en"]
    parts = []
    for rule in rules:
        days = sorted(rule.days)
        first, last = names[days[0]], names[days[-1]]
        contiguous = days == list(range(days[0], days[-1] + 1))
        if len(days) == 1:
            day_words = first
        elif contiguous:
            day_words = f"{first} a {last}" if es else f"{first} to {last}"
        else:
            day_words = ", ".join(names[d] for d in days)
        start, end = _clock(rule.start), _clock(rule.end)
        parts.append(f"{day_words} de {start} a {end}" if es else f"{day_words}, {start} to {end}")
    joiner = " y " if es else " and "
    return joiner.join(parts)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"

"""A person's deadlines as a calendar feed: the address is the key (a calendar program cannot sign in)."""

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..deps import core

router = APIRouter()

CALENDAR_TOKEN = re.compile(r"[A-Za-z0-9_.~-]{1,200}")  # ASCII only: a calendar address's alphabet


@router.get("/calendar/{token}.ics")
def calendar_feed(request: Request, token: str) -> Response:
    """A person's deadlines as iCalendar, for calendar programs to subscribe to: the address
    is the secret (no sign-in, which a calendar program cannot do); unknown ones are 404."""
    services = core(request).services
    owner = services.calendar_owner(token) if CALENDAR_TOKEN.fullmatch(token) else None
    if owner is None:
        return Response("unknown calendar\n", status_code=404, media_type="text/plain")
    return Response(services.calendar_feed(user=owner), media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, no-store"})

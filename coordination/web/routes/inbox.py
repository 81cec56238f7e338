"""The inbox: a supervisor's gates, the actions a person opened (an admin: all) and deadlines due soon."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from coordination.domain import User

from ..deps import core, signed_in
from ..pages import render

router = APIRouter()


@router.get("/")
def inbox(request: Request, user: User = Depends(signed_in)) -> Response:
    services = core(request).services
    page = services.read_inbox(user=user)
    return render(request, "inbox.html", {"gates": page.gates, "mine": page.mine, "due": page.due, "now": page.now,
                                          "calendar": services.calendar_address(user)})

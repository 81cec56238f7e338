"""The overview: open actions by stage and State, overdue deadlines, States' replies, time to dispatch."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from coordination.domain import User

from ..deps import core, signed_in
from ..pages import render

router = APIRouter()


@router.get("/overview")
def overview_page(request: Request, user: User = Depends(signed_in)) -> Response:
    app = core(request)
    return render(request, "overview.html", {"o": app.services.get_overview(now=app.clock())})

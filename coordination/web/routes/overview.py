"""The overview: open actions by stage and State, overdue deadlines, States' replies, time to dispatch;
and the annual report to download (supervisors and administrators)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from coordination.domain import User

from ..deps import core, reads, signed_in
from ..pages import render

router = APIRouter()

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


@router.get("/overview")
def overview_page(request: Request, user: User = Depends(signed_in)) -> Response:
    app = core(request)
    return render(request, "overview.html", {"o": app.services.get_overview(now=app.clock()),
                                             "report_year": app.clock().year,
                                             "may_report": app.services.may_read_report(user)})


@router.get("/overview/report")
def annual_report(request: Request, year: str = "", format: str = "csv", user: User = Depends(signed_in)) -> Response:
    """The annual report as a file (the same as `coordination report`): figures only."""
    services = core(request).services
    report = services.annual_report(year, reader=user, uow=reads(request))
    document = services.report_document(report, format)
    return Response(document, media_type=MEDIA_TYPES[format], headers={
        "Content-Disposition": f'attachment; filename="coordination-report-{report.year}.{format}"',
        "Cache-Control": "no-store"})

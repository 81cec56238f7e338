"""An open deadline by hand: extending it (a new date, the reason) or cancelling it (the reason),
with the rules of `coordination deadline extend/cancel`. A refusal is shown in the action page."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from coordination.domain import CoordinationError, User

from ..deps import acting, core, translator_for
from ..i18n import label
from ..pages import done, refused

router = APIRouter()


def _owed(deadlines: list[dict[str, str | None]]) -> str:
    """The organisations the changed deadlines were owed by, for the message (none: the State's)."""
    return ", ".join(d["organisation"].upper() for d in deadlines if d["organisation"])


@router.post("/actions/{reference}/deadlines/{kind}/extend")
def extend(request: Request, reference: str, kind: str, to: str = Form(""), reason: str = Form(""),
           organisation: str = Form(""), user: User = Depends(acting)) -> Response:
    try:
        changed = core(request).services.extend_deadline(reference=reference, kind=kind, to=to, reason=reason,
                                                         actor=user.email, organisation=organisation or None)
    except CoordinationError as error:
        return refused(request, user, reference, error,
                       {"deadline": [kind, organisation, "extend"], "to": to, "deadline_reason": reason})
    t = translator_for(request)
    message = t("Deadline extended: {kind} now due {due}.").format(
        kind=label(t, "deadline", kind), due=", ".join(d["due_at"] for d in changed))
    return done(request, message, f"/actions/{reference}#deadlines")


@router.post("/actions/{reference}/deadlines/{kind}/cancel")
def cancel(request: Request, reference: str, kind: str, reason: str = Form(""), organisation: str = Form(""),
           user: User = Depends(acting)) -> Response:
    try:
        changed = core(request).services.cancel_deadline(reference=reference, kind=kind, reason=reason,
                                                         actor=user.email, organisation=organisation or None)
    except CoordinationError as error:
        return refused(request, user, reference, error,
                       {"deadline": [kind, organisation, "cancel"], "deadline_reason": reason})
    t = translator_for(request)
    owed = _owed(changed)
    message = t("Deadline cancelled: {kind}.").format(kind=label(t, "deadline", kind) + (f" ({owed})" if owed else ""))
    return done(request, message, f"/actions/{reference}#deadlines")

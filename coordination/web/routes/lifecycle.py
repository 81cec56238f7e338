"""The whole life of an action (issue 12): withdrawing it, closing it by hand with an outcome,
reopening it, linking it to another action. A refusal is shown in the action page."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from coordination.domain import CoordinationError, User

from ..deps import acting, core
from ..pages import moved, refused

router = APIRouter()


@router.post("/actions/{reference}/withdraw")
def withdraw(request: Request, reference: str, reason: str = Form(""), user: User = Depends(acting)) -> Response:
    try:
        action = core(request).services.withdraw_action(reference=reference, as_=user.email, reason=reason)
    except CoordinationError as error:
        return refused(request, user, reference, error, {"withdraw_reason": reason})
    return moved(request, action, "Withdrawn. Its deadlines are cancelled and nothing will be sent for {reference}.")


@router.post("/actions/{reference}/close")
def close(request: Request, reference: str, outcome: str = Form(""), reason: str = Form(""),
          user: User = Depends(acting)) -> Response:
    try:
        action = core(request).services.close_action(reference=reference, as_=user.email, outcome=outcome,
                                                     reason=reason)
    except CoordinationError as error:
        return refused(request, user, reference, error, {"close_reason": reason, "outcome": outcome})
    return moved(request, action, "Closed. Its deadlines and the letters not yet sent for {reference} are cancelled.")


@router.post("/actions/{reference}/reopen")
def reopen(request: Request, reference: str, reason: str = Form(""), user: User = Depends(acting)) -> Response:
    try:
        action = core(request).services.reopen_action(reference=reference, as_=user.email, reason=reason)
    except CoordinationError as error:
        return refused(request, user, reference, error, {"reopen_reason": reason})
    return moved(request, action, "Reopened. {reference} is at stage {stage} again.")


@router.post("/actions/{reference}/links")
def link(request: Request, reference: str, other: str = Form(""), relation: str = Form(""), note: str = Form(""),
         user: User = Depends(acting)) -> Response:
    try:
        action = core(request).services.link_actions(reference=reference, other=other, relation=relation,
                                                     as_=user.email, note=note or None)
    except CoordinationError as error:
        return refused(request, user, reference, error, {"other": other, "relation": relation, "note": note})
    return moved(request, action, "Linked. The link shows on both actions' pages.")

"""What moves an action on: submitting a stage, a supervisor's approval or rejection, skipping an
optional stage, recording the State's reply. A refusal is shown in the action page."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from coordination.domain import CoordinationError, User
from coordination.domain.bounds import parse_date

from ..deps import acting, core
from ..pages import moved, refused

router = APIRouter()


@router.post("/actions/{reference}/submit")
def submit(request: Request, reference: str, user: User = Depends(acting)) -> Response:
    try:
        action = core(request).services.submit_stage(reference=reference, officer=user.email)
    except CoordinationError as error:
        return refused(request, user, reference, error)
    return moved(request, action, "Submitted. {reference} is now at stage {stage}.")


@router.post("/actions/{reference}/approve")
def approve(request: Request, reference: str, comment: str = Form(""), seen: list[str] = Form([]),
            user: User = Depends(acting)) -> Response:
    try:
        decided = core(request).services.approve_stage(reference=reference, supervisor=user.email,
                                                       comment=comment or None, seen=seen)
    except CoordinationError as error:
        return refused(request, user, reference, error, {"comment": comment})
    if decided.gate_met:
        return moved(request, decided.action, "Gate met. {reference} is now at stage {stage}.",
                     then=("Its reference: {references}.", {"references": ", ".join(decided.assigned)})
                     if decided.assigned else None)
    return moved(request, decided.action,
                 "Approval recorded; {reference} still awaits the other organisation's approval.")


@router.post("/actions/{reference}/reject")
def reject(request: Request, reference: str, comment: str = Form(""), seen: list[str] = Form([]),
           user: User = Depends(acting)) -> Response:
    try:
        action = core(request).services.reject_stage(reference=reference, supervisor=user.email, comment=comment,
                                                     seen=seen)  # a form without them saw no letter: refused unless there is none
    except CoordinationError as error:
        return refused(request, user, reference, error, {"reject_comment": comment})
    return moved(request, action, "Rejected. {reference} is back at stage {stage}.")


@router.post("/actions/{reference}/skip")
def skip(request: Request, reference: str, reason: str = Form(""), user: User = Depends(acting)) -> Response:
    try:
        action = core(request).services.skip_stage(reference=reference, officer=user.email, reason=reason)
    except CoordinationError as error:
        return refused(request, user, reference, error, {"reason": reason})
    return moved(request, action, "Skipped. {reference} is now at stage {stage}.")


@router.post("/actions/{reference}/reply")
def reply(request: Request, reference: str, received_on: str = Form(""), acknowledgement_only: str = Form(""),
          user: User = Depends(acting)) -> Response:
    try:
        received = parse_date("the date received", received_on)
        action = core(request).services.record_reply(reference=reference, officer=user.email, received_on=received,
                                                     acknowledgement_only=bool(acknowledgement_only))
    except CoordinationError as error:
        return refused(request, user, reference, error, {"received_on": received_on})
    return moved(request, action, "Reply recorded. {reference} is now at stage {stage}.")

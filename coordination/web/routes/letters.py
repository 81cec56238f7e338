"""A letter: its current version as HTML, text or PDF (as sent, once dispatched), and its form."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from coordination.domain import CoordinationError, User
from coordination.domain.vocabulary import LetterFormat

from ..deps import acting, core, signed_in, translator_for
from ..errors import letter_title
from ..pages import done, refused

router = APIRouter()


@router.get("/actions/{reference}/letters/{letter}")
def letter_document(request: Request, reference: str, letter: str, format: str = LetterFormat.HTML.value,
                    language: str | None = None,
                    user: User = Depends(signed_in)) -> Response:
    document = core(request).services.render_letter(reference=reference, letter=letter, fmt=format,
                                                    language=language or None)
    if format == LetterFormat.PDF:
        name = f"{document.action.reference}-{document.letter.name}-v{document.letter.current.version}.pdf"
        return Response(document.content, media_type="application/pdf",
                        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
    media = "text/html; charset=utf-8" if format == LetterFormat.HTML else "text/plain; charset=utf-8"
    return Response(document.content, media_type=media, headers={
        "Cache-Control": "no-store",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                   "frame-ancestors 'self'"})


@router.post("/actions/{reference}/letters/{letter}")
async def edit_letter(request: Request, reference: str, letter: str, user: User = Depends(acting)) -> Response:
    form = await request.form()
    values = {k.removeprefix("field_"): ",".join(v for v in form.getlist(k) if isinstance(v, str))
              for k in form.keys() if k.startswith("field_")}
    for name in form.getlist("checkboxes"):  # a field of checkboxes none of which is ticked: an empty selection
        if isinstance(name, str) and name not in values:
            values[name] = ""
    try:
        edited = await run_in_threadpool(core(request).services.edit_letter_fields, reference=reference,
                                         letter=letter, values=values, editor=user.email)
    except CoordinationError as error:
        return await run_in_threadpool(refused, request, user, reference, error, {letter: values})
    t = translator_for(request)
    if edited is None:
        message = t("Nothing changed.")
    else:
        message = t("Saved: {letter} is now version {version}.").format(
            letter=letter_title(edited.letter.name, t), version=edited.letter.current.version)
        if edited.voided:
            message += " " + t("This edit voided the approval of {approvers}: the stage must be approved again.").format(
                approvers=", ".join(edited.voided))
    return done(request, message, f"/actions/{reference}#letter-{letter}")

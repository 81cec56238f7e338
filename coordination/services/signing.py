"""Who signs a letter: the domain's directory port over the stored mandates and holders, and the
signers a rendition shows — a version's own once bound (approved or dispatched letters never
change name), otherwise those of the day it is shown."""

from collections.abc import Sequence
from datetime import date

from coordination.domain import InvalidInput, JointAction
from coordination.domain.letters import Letter
from coordination.domain.mandates import Signer, resolve_signers, signers_on, signing_codes
from coordination.domain.ports import SignerDirectory

from .ports import UnitOfWork


def signer_directory(tx: UnitOfWork) -> SignerDirectory:
    """The domain's port: the holders of mandates on a day, read in the unit of work when asked."""
    def resolve(codes: Sequence[str], day: date, *, letter: str | None = None) -> list[Signer]:
        mandates = {m.code: m for m in tx.mandates.all()}
        return resolve_signers(codes, tx.holders.all(), day, mandates=mandates, letter=letter)
    return resolve


def codes_of(action: JointAction, letter: Letter) -> list[str]:
    """The mandates that sign a letter; a selection kept from before codes (free text) selects none."""
    voice = action.definition.letter(letter.name).voice.value
    try:
        return signing_codes(voice, letter.current.fields.get("mandates"))
    except InvalidInput:
        return signing_codes(voice, None)


def signers_to_show(tx: UnitOfWork, action: JointAction, letter: Letter, day: date, *,
                    sending: bool = False) -> list[Signer]:
    """The signers a rendition of the letter's current version shows: those bound to the version;
    otherwise the holders on `day` — for a draft, a vacant mandate as a signer without a name.
    `sending` (the rendition frozen at dispatch): a letter approved before names were bound
    (older data) takes the holders of its dispatch day, and a vacancy refuses the dispatch
    rather than sending an empty block."""
    bound = letter.current.signers
    if bound is not None:
        return [Signer.from_record(r) for r in bound]
    codes = codes_of(action, letter)
    if not codes:
        return []
    mandates = {m.code: m for m in tx.mandates.all()}
    if sending:
        return resolve_signers(codes, tx.holders.all(), day, mandates=mandates, letter=letter.name)
    return signers_on(codes, tx.holders.all(), day, mandates=mandates)

"""Signers bound to letter versions (issue 13, part 1), without a database: a version without
signers hashes as before; binding makes one system version only when the names change; a draft's
vacancy is a signer without a name; a mandate's label agrees with neither gender."""

from datetime import UTC, date, datetime

from coordination.domain.letters import Letter, content_sha256
from coordination.domain.mandates import BY_CODE, Holder, resolve_signers, signers_on
from coordination.domain.stages import DEFINITIONS
from coordination.domain.vocabulary import ActionType, Gender
from coordination.fictional import FICTIONAL_HOLDERS

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _letter() -> tuple[Letter, object]:
    spec = DEFINITIONS[ActionType.URGENT_APPEAL].letter("urgent_appeal")
    letter = Letter.start(spec, stage="drafting", cycle=1, language="es", now=NOW)
    letter.set_fields(spec, {"mandates": "defenders", "subject": "s"}, editor="o@x.test", now=NOW)
    return letter, spec


def test_a_version_without_signers_hashes_as_before():
    fields = {"subject": "s", "facts": None}
    assert content_sha256("urgent_appeal", "es", fields) == content_sha256("urgent_appeal", "es", fields, None)
    signers = tuple(s.as_record() for s in resolve_signers(["defenders"], FICTIONAL_HOLDERS, date(2026, 11, 2)))
    assert content_sha256("urgent_appeal", "es", fields, signers) != content_sha256("urgent_appeal", "es", fields)


def test_binding_makes_one_system_version_only_when_the_names_change():
    letter, spec = _letter()
    signers = tuple(s.as_record() for s in resolve_signers(["defenders"], FICTIONAL_HOLDERS, date(2026, 11, 2)))
    bound = letter.bind_signers(signers, now=NOW)
    assert bound is not None and bound.edited_by is None and bound.signers == signers
    assert bound.fields == letter.versions[-2].fields and bound.version == 3
    assert bound.sha256 == content_sha256("urgent_appeal", "es", bound.fields, signers)
    assert letter.bind_signers(signers, now=NOW) is None  # the same names: no new version
    earlier = tuple(s.as_record() for s in resolve_signers(["defenders"], FICTIONAL_HOLDERS, date(2026, 4, 30)))
    assert earlier[0]["name"] == "Jorge Ejemplo" and earlier[0]["titles"]["es"].startswith("Relator Especial")
    assert letter.bind_signers(earlier, now=NOW).version == 4  # type: ignore[union-attr]
    edited = letter.set_fields(spec, {"subject": "t"}, editor="o@x.test", now=NOW)
    assert edited.signers is None  # a draft's edit: resolved again when it goes to the gate


def test_a_draft_shows_a_vacancy_as_a_signer_without_a_name():
    holders = [Holder("defenders", "Ana Example", Gender.FEMININE, date(2026, 5, 1))]
    shown = signers_on(["defenders", "iachr-executive-secretary"], holders, date(2026, 11, 2))
    assert [(s.mandate, s.name) for s in shown] == [("defenders", "Ana Example"), ("iachr-executive-secretary", "")]
    assert shown[1].title("es") == "Secretario Ejecutivo"


def test_a_mandates_label_agrees_with_neither_gender():
    assert BY_CODE["defenders"].label("en") == "Special Rapporteur on the situation of human rights defenders"
    assert BY_CODE["defenders"].label("es") == "sobre la situación de los defensores de derechos humanos"
    assert BY_CODE["iachr-expression"].label("fr") == "pour la liberté d'expression"

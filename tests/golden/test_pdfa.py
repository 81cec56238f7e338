"""Letters as archival, accessible PDF: PDF/A-3b identification in the XMP metadata, the sRGB output
intent, the language, title, authors, subject and keywords, tags, and every font embedded.

veraPDF (Java) cannot be installed here, so these are structural checks of the PDF's objects, made
with a small parser below (pypdf is not installed): top-level objects and those packed in object
streams (/ObjStm), whose streams are inflated with zlib."""

import re
import zlib
from datetime import date

import pytest

from coordination.adapters.renderer import LetterRenderer
from coordination.config import default_templates_dir
from coordination.domain import ActionType

from .test_golden import NOW, golden_action, golden_signers

ON = date(2026, 11, 2)
_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)


def _inflate(body: bytes) -> tuple[bytes, bytes]:
    """An object's dictionary and its stream's content, inflated if Flate-encoded."""
    head, found, rest = body.partition(b"stream")
    if not found:
        return body, b""
    raw = rest.lstrip(b"\r\n").rsplit(b"endstream", 1)[0]
    return head, zlib.decompress(raw) if b"/FlateDecode" in head else raw


def pdf_objects(pdf: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Every object by number, as (dictionary, stream content); those of object streams included."""
    objects: dict[int, tuple[bytes, bytes]] = {}
    for match in _OBJECT.finditer(pdf):
        head, content = _inflate(match.group(2))
        objects[int(match.group(1))] = (head, content)
        if b"/ObjStm" in head:
            first = int(re.search(rb"/First (\d+)", head).group(1))
            numbers = [int(n) for n in content[:first].split()]
            pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
            for index, (number, offset) in enumerate(pairs):
                end = first + pairs[index + 1][1] if index + 1 < len(pairs) else len(content)
                objects[number] = (content[first + offset:end], b"")
    return objects


@pytest.fixture(scope="module")
def renderer() -> LetterRenderer:
    return LetterRenderer(default_templates_dir())


@pytest.fixture(scope="module")
def resolution(renderer):
    """A Spanish resolution of a precautionary measure (three references), its PDF's objects and XMP."""
    action, letter = golden_action(ActionType.PRECAUTIONARY_MEASURE, "resolution", "evaluation", "es")
    html = renderer.render(action, letter, on=ON, fmt="html", created=NOW, signers=golden_signers(action, letter)).text
    objects = pdf_objects(renderer.pdf(html))
    xmp = next(content for head, content in objects.values() if b"/Type /Metadata" in head).decode()
    return objects, xmp


def test_the_xmp_metadata_identifies_pdf_a_3b(resolution):
    _, xmp = resolution
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp


def test_the_catalog_has_the_srgb_output_intent_the_language_and_tags(resolution):
    objects, _ = resolution
    catalog = next(head for head, _ in objects.values() if b"/Type /Catalog" in head)
    assert re.search(rb"/OutputIntents \[<</Type /OutputIntent/S /GTS_PDFA1", catalog)
    assert b"/DestOutputProfile" in catalog
    assert b"/Lang (es)" in catalog
    assert b"/StructTreeRoot" in catalog and b"/Marked true" in catalog  # tagged for screen readers
    assert b"/DisplayDocTitle true" in catalog


def test_title_authors_subject_and_keywords_name_the_letter_and_its_references(resolution):
    _, xmp = resolution
    assert "JAM-2026-0001 · MC-1008-26 · Resolución 8/2026 — Resolución sobre una solicitud" in xmp  # dc:title
    assert "<rdf:li>Comisión Interamericana de Derechos Humanos</rdf:li>" in xmp  # dc:creator: who speaks,
    assert "<rdf:li>Carmen Ejemplo</rdf:li>" in xmp  # and who signs
    assert "Oficina del Alto Comisionado" not in xmp  # an IACHR letter (the letterhead still shows both)
    assert "Resolución sobre una solicitud de medidas cautelares</rdf:li>" in xmp  # dc:description
    assert "<pdf:Keywords>JAM-2026-0001, MC-1008-26, Resolución 8/2026</pdf:Keywords>" in xmp
    assert "<xmp:CreateDate>2026-11-02T09:00:00Z</xmp:CreateDate>" in xmp  # fixed: the bytes stay the same


def test_every_font_is_embedded(resolution):
    objects, _ = resolution
    descriptors = [head for head, _ in objects.values() if b"/Type /FontDescriptor" in head]
    assert descriptors
    for descriptor in descriptors:
        assert re.search(rb"/FontFile[23]? \d+ 0 R", descriptor), descriptor[:200]
    names = b" ".join(re.search(rb"/FontName /(\S+?)[/>]", d).group(1) for d in descriptors)
    assert b"DejaVu-Serif" in names and b"DejaVu-Sans" in names


@pytest.mark.parametrize("language", ["en", "fr", "pt"])
def test_each_language_is_declared(renderer, language):
    action, letter = golden_action(ActionType.URGENT_APPEAL, "urgent_appeal", "drafting", language)
    html = renderer.render(action, letter, on=ON, fmt="html", created=NOW, signers=golden_signers(action, letter)).text
    catalog = next(head for head, _ in pdf_objects(renderer.pdf(html)).values() if b"/Type /Catalog" in head)
    assert f"/Lang ({language})".encode() in catalog

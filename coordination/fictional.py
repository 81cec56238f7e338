"""Fictional holders of every mandate, for the demo, the tests and the sample letters in docs/.

Real holders' names are entered by an admin and never shipped: these people do not exist.
Genders are mixed so that the letters show both agreements; the defenders' mandate changes
hands on 1 May 2026, as a real one did that year, so that a letter's date picks its holder.
"""

from datetime import date

from coordination.domain.mandates import Holder
from coordination.domain.vocabulary import Gender

F, M = Gender.FEMININE, Gender.MASCULINE
SINCE = date(2025, 1, 1)

FICTIONAL_HOLDERS: tuple[Holder, ...] = (
    Holder("defenders", "Jorge Ejemplo", M, date(2020, 5, 1), date(2026, 4, 30)),
    Holder("defenders", "Ana Example", F, date(2026, 5, 1)),
    Holder("expression", "Lucía Muestra", F, SINCE),
    Holder("assembly", "Tomás Ejemplar", M, SINCE),
    Holder("executions", "Marie Exemple", F, SINCE),
    Holder("torture", "Paulo Exemplo", M, SINCE),
    Holder("indigenous", "Rosa Example", F, SINCE),
    Holder("environment", "David Sample", M, SINCE),
    Holder("judges", "Inés Modelo", F, SINCE),
    Holder("iachr-executive-secretary", "Carmen Ejemplo", F, SINCE),
    Holder("iachr-defenders", "Julián Muestra", M, SINCE),
    Holder("iachr-expression", "Beatriz Exemplo", F, SINCE),
)

"""The authorisation matrix: every page and form × every role × the action's state → the status answered.

The table below is the whole rule as a person meets it over HTTP; one test is generated per cell.
A refusal (4xx) must write nothing; after every request, allowed or not, the audit trail verifies.

Roles: anon is nobody signed in; officer opened the action (OHCHR); other_officer is an IACHR officer;
the supervisors are one per organisation; admin manages people but does no casework.
States (an urgent appeal, led by OHCHR): drafting (its letter filled in, not yet submitted), at_gate (submitted,
awaiting both organisations' approval), waiting (approved, dispatched, awaiting the State's reply), withdrawn
(withdrawn at its gate).
"""

import pytest
from fastapi.testclient import TestClient

from coordination.web import create_app
from tests.helpers import ADMIN, OFFICER, OFFICER_IACHR, SUP_IACHR, SUP_OHCHR, dispatched, fill, open_at_gate

from .conftest import PASSWORD, Browser, all_rows

MATRIX = """
state     method path                                      anon officer other_officer sup_ohchr sup_iachr admin
any       GET    /                                         303  200     200           200       200       200
any       GET    /actions                                  303  200     200           200       200       200
any       GET    /overview                                 303  200     200           200       200       200
any       GET    /overview/report?year=2026&format=csv     303  403     403           200       200       200
any       GET    /actions?q=a_b%25&stage=joint_approval    303  200     200           200       200       200
any       GET    /actions/new                              303  200     200           200       200       200
any       POST   /actions                                  401  303     303           303       303       403
any       GET    /account                                  303  200     200           200       200       200
any       POST   /account/calendar                         401  303     303           303       303       303
any       POST   /account/password                         401  303     303           303       303       303
any       POST   /account/sign-out-everywhere              401  303     303           303       303       303
any       GET    /admin/users                              303  403     403           403       403       200
any       POST   /admin/users                              401  403     403           403       403       303
any       POST   /admin/users/role                         401  403     403           403       403       303
any       POST   /admin/users/organisation                 401  403     403           403       403       303
any       POST   /admin/users/disable                      401  403     403           403       403       303
any       POST   /admin/users/enable                       401  403     403           403       403       303
any       POST   /admin/users/password-link                401  403     403           403       403       303
any       GET    /admin/recipients                         303  403     403           403       403       200
any       POST   /admin/recipients                         401  403     403           403       403       303
any       POST   /admin/recipients/edit                    401  403     403           403       403       303
any       POST   /admin/recipients/remove                  401  403     403           403       403       303
any       GET    /admin/signatories                        303  403     403           403       403       200
any       POST   /admin/signatories                        401  403     403           403       403       303
any       POST   /admin/signatories/end                    401  403     403           403       403       303
any       POST   /admin/signatories/mandate                401  403     403           403       403       303
any       GET    /password/unknown-token                   404  404     404           404       404       404
drafting  GET    /actions/{ref}                            303  200     200           200       200       200
drafting  GET    /actions/{ref}/letters/urgent_appeal      303  200     200           200       200       200
drafting  POST   /actions/{ref}/letters/urgent_appeal      401  303     303           303       303       403
drafting  POST   /actions/{ref}/submit                     401  303     303           303       303       403
drafting  POST   /actions/{ref}/approve                    401  409     409           409       409       409
drafting  POST   /actions/{ref}/reject                     401  409     409           409       409       409
drafting  POST   /actions/{ref}/skip                       401  409     409           409       409       403
drafting  POST   /actions/{ref}/reply                      401  409     409           409       409       403
drafting  POST   /actions/{ref}/deadlines/state_reply/extend 401  409     409           409       409       403
drafting  POST   /actions/{ref}/deadlines/state_reply/cancel 401  409     409           409       409       403
at_gate   GET    /actions/{ref}                            303  200     200           200       200       200
at_gate   GET    /actions/{ref}/letters/urgent_appeal      303  200     200           200       200       200
at_gate   POST   /actions/{ref}/letters/urgent_appeal      401  303     303           303       303       403
at_gate   POST   /actions/{ref}/submit                     401  409     409           409       409       403
at_gate   POST   /actions/{ref}/approve                    401  403     403           303       303       403
at_gate   POST   /actions/{ref}/reject                     401  403     403           303       303       403
at_gate   POST   /actions/{ref}/skip                       401  409     409           409       409       403
at_gate   POST   /actions/{ref}/reply                      401  409     409           409       409       403
at_gate   POST   /actions/{ref}/deadlines/state_reply/extend 401  409     409           409       409       403
at_gate   POST   /actions/{ref}/deadlines/state_reply/cancel 401  409     409           409       409       403
waiting   GET    /actions/{ref}                            303  200     200           200       200       200
waiting   GET    /actions/{ref}/letters/urgent_appeal      303  200     200           200       200       200
waiting   POST   /actions/{ref}/letters/urgent_appeal      401  409     409           409       409       403
waiting   POST   /actions/{ref}/submit                     401  409     409           409       409       403
waiting   POST   /actions/{ref}/approve                    401  409     409           409       409       409
waiting   POST   /actions/{ref}/reject                     401  409     409           409       409       409
waiting   POST   /actions/{ref}/skip                       401  409     409           409       409       403
waiting   POST   /actions/{ref}/reply                      401  303     303           303       303       403
drafting  POST   /actions/{ref}/withdraw                   401  303     403           303       303       403
drafting  POST   /actions/{ref}/close                      401  409     409           409       409       409
drafting  POST   /actions/{ref}/reopen                     401  409     409           409       409       409
drafting  POST   /actions/{ref}/links                      401  303     303           303       303       403
at_gate   POST   /actions/{ref}/withdraw                   401  303     403           303       303       403
at_gate   POST   /actions/{ref}/close                      401  409     409           409       409       409
at_gate   POST   /actions/{ref}/reopen                     401  409     409           409       409       409
waiting   POST   /actions/{ref}/withdraw                   401  409     409           409       409       409
waiting   POST   /actions/{ref}/close                      401  403     403           303       303       403
waiting   POST   /actions/{ref}/reopen                     401  409     409           409       409       409
waiting   POST   /actions/{ref}/links                      401  303     303           303       303       403
withdrawn GET    /actions/{ref}                            303  200     200           200       200       200
withdrawn POST   /actions/{ref}/withdraw                   401  409     409           409       409       409
withdrawn POST   /actions/{ref}/close                      401  409     409           409       409       409
withdrawn POST   /actions/{ref}/reopen                     401  403     403           303       303       403
withdrawn POST   /actions/{ref}/links                      401  303     303           303       303       403
waiting   POST   /actions/{ref}/deadlines/state_reply/extend 401  303     303           303       303       403
waiting   POST   /actions/{ref}/deadlines/state_reply/cancel 401  303     303           303       303       403
"""

PEOPLE = {"anon": None, "officer": OFFICER, "other_officer": OFFICER_IACHR, "sup_ohchr": SUP_OHCHR,
          "sup_iachr": SUP_IACHR, "admin": ADMIN}

FORMS = {  # what each form posts: valid values, so that only who and when decide the answer
    "/actions": {"type": "urgent-appeal", "country": "HND", "title": "Threats in Tegucigalpa", "beneficiaries": "B"},
    "/actions/{ref}/letters/urgent_appeal": {"field_subject": "threats against a defender and her family"},
    "/actions/{ref}/submit": {},
    "/actions/{ref}/approve": {"comment": "agreed"},
    "/actions/{ref}/reject": {"comment": "the facts need a date"},
    "/actions/{ref}/skip": {"reason": "handled by the regional office"},
    "/actions/{ref}/reply": {"received_on": "2026-11-02"},
    "/actions/{ref}/withdraw": {"reason": "the defender asked us not to act"},
    "/actions/{ref}/close": {"outcome": "state_replied", "reason": "the State answered in full"},
    "/actions/{ref}/reopen": {"reason": "new facts"},
    "/actions/{ref}/links": {"other": "{other}", "relation": "same_defender", "note": "the same defender"},
    "/actions/{ref}/deadlines/state_reply/extend": {"to": "2027-03-01", "reason": "the State asked for time"},
    "/actions/{ref}/deadlines/state_reply/cancel": {"reason": "the State replied by phone"},
    "/account/calendar": {},
    "/account/password": {"current_password": PASSWORD,
                          "new_password": "a new and long passphrase", "confirm_password": "a new and long passphrase"},
    "/account/sign-out-everywhere": {},
    "/admin/users": {"email": "new.person@ohchr.test", "name": "New Person", "organisation": "ohchr", "role": "officer"},
    "/admin/users/role": {"email": OFFICER_IACHR, "role": "supervisor"},
    "/admin/users/organisation": {"email": OFFICER_IACHR, "organisation": "ohchr"},
    "/admin/users/disable": {"email": OFFICER_IACHR},
    "/admin/users/enable": {"email": OFFICER_IACHR},
    "/admin/users/password-link": {"email": OFFICER_IACHR},
    "/admin/recipients": {"country": "HND", "kind": "oas-mission", "email": "new@hnd.test"},
    "/admin/recipients/edit": {"country": "HND", "kind": "oas-mission", "email": "oea@hnd.test", "name": "OEA"},
    "/admin/recipients/remove": {"country": "HND", "kind": "oas-mission", "email": "oea@hnd.test"},
    "/admin/signatories": {"mandate": "defenders", "name": "A Holder", "gender": "f", "starts_on": "2017-05-01",
                           "ends_on": "2020-04-30"},
    "/admin/signatories/end": {"mandate": "judges", "on": "2029-12-31"},
    "/admin/signatories/mandate": {"code": "judges", "resolution": "53/12", "verified": "yes"},
}


def _drafting(app) -> str:  # type: ignore[no-untyped-def]
    action = app.services.open_action(type="urgent-appeal", country="HND", title="Test action", officer=OFFICER,
                                  beneficiaries=["Beneficiary One"])
    app.services.submit_stage(reference=action.reference, officer=OFFICER)  # intake → drafting
    fill(app, action.reference, "urgent_appeal")
    return action.reference


def _withdrawn(app) -> str:  # type: ignore[no-untyped-def]
    reference = open_at_gate(app, "urgent-appeal")
    app.services.withdraw_action(reference=reference, as_=OFFICER, reason="the defender asked us not to act")
    return reference


STATES = {"any": _drafting, "drafting": _drafting, "at_gate": lambda app: open_at_gate(app, "urgent-appeal"),
          "waiting": lambda app: dispatched(app, "urgent-appeal"), "withdrawn": _withdrawn}


def _cells() -> list:
    header, *rows = [line.split() for line in MATRIX.strip().splitlines()]
    roles = header[3:]
    assert set(roles) == set(PEOPLE)
    cells = []
    for state, method, path, *statuses in rows:
        assert len(statuses) == len(roles), path
        for role, status in zip(roles, statuses, strict=True):
            cells.append(pytest.param(state, method, path, role, int(status), id=f"{state}-{method}{path}-{role}"))
    return cells


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the rule is the app's, not the database's
@pytest.mark.parametrize("state, method, path, role, expected", _cells())
def test_the_matrix(seeded, state, method, path, role, expected):
    reference = STATES[state](seeded)
    url = path.format(ref=reference)
    form = {name: _drafting(seeded) if value == "{other}" else value  # a link's other action
            for name, value in FORMS.get(path, {}).items()}
    with TestClient(create_app(seeded), base_url="http://127.0.0.1:8000") as client:
        browser = Browser(client)
        if PEOPLE[role]:
            browser.sign_in(PEOPLE[role])
            browser.get(f"/actions/{reference}")  # as a person would: the page first, then its forms
        before = all_rows(seeded)
        if method == "GET":
            response = browser.client.get(url, follow_redirects=False)
        else:
            response = browser.post(url, form)
        assert response.status_code == expected, response.text[:2000]
        if expected >= 400:
            after = all_rows(seeded)
            after.pop("letter_views"), before.pop("letter_views")  # the page shown with the refusal records a view
            assert after == before, "a refused request wrote"
        if expected == 303 and method == "GET":
            assert response.headers["location"].startswith("/sign-in")
    assert seeded.services.verify_audit().findings == []

from coordination import services

from ..helpers import SUP_IACHR, SUP_OHCHR, open_at_gate, seed


def test_urgent_appeal_reaches_its_first_dispatch(app):
    seed(app)
    ref = open_at_gate(app, "urgent-appeal")
    services.approve_stage(app, reference=ref, supervisor=SUP_OHCHR)
    services.approve_stage(app, reference=ref, supervisor=SUP_IACHR)
    result = services.advance_action(app, reference=ref)
    assert result.messages == 1
    assert result.action.stage == "awaiting_reply"

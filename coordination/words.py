"""The domain's words (action types, stages, deadline kinds, organisations, recipients' kinds)
in the interface languages other than English, spelled once for the web's pages
(`web/i18n.py`) and the mails to staff (`adapters/mail_i18n.py`): English is the key."""

DOMAIN_ES: dict[str, str] = {
    "urgent appeal": "llamamiento urgente",
    "precautionary measure": "medida cautelar",
    "country communication": "comunicación a un país",
    "intake": "recepción",
    "drafting": "redacción",
    "joint approval": "aprobación conjunta",
    "dispatch": "envío",
    "awaiting reply": "en espera de respuesta",
    "publication": "publicación",
    "closed": "cerrada",
    "registration": "registro",
    "information request": "solicitud de información",
    "awaiting state reply": "en espera de respuesta del Estado",
    "evaluation": "evaluación",
    "notification": "notificación",
    "follow up": "seguimiento",
    "press release": "comunicado de prensa",
    "OHCHR": "ACNUDH",
    "IACHR": "CIDH",
    "permanent mission in Geneva": "misión permanente en Ginebra",
    "mission to the OAS": "misión ante la OEA",
    "ministry of foreign affairs": "ministerio de relaciones exteriores",
    "the requester": "la parte solicitante",
    "staff": "personal",
}

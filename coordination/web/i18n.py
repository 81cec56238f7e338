"""The interface in English and Spanish: English strings are the keys of a Spanish catalog.

The human labels of the web app are spelled here once: the forms' field labels (`FIELD_LABELS`,
which the templates and the wording of refusals both read), the interface languages' names, and
the words of the domain (stages, statuses…) through `label`. Refusals keep the domain's English
message, led by the label of the field they are about (`coordination/web/errors.py`); the page
around them is translated. Which interface languages there are is the domain's fact
(`INTERFACE_LANGUAGES`): each has its catalog here.
"""

from collections.abc import Callable

from coordination.domain.vocabulary import DEFAULT_INTERFACE_LANGUAGE, INTERFACE_LANGUAGES, Language
from coordination.words import DOMAIN_ES

ES = {
    **DOMAIN_ES,
    # frame and navigation
    "Joint actions": "Acciones conjuntas", "Skip to content": "Saltar al contenido", "Main": "Principal",
    "Inbox": "Bandeja de entrada", "Actions": "Acciones", "Overview": "Panorama", "Open an action": "Abrir una acción",
    "Sign in": "Iniciar sesión", "Sign out": "Cerrar sesión", "Email": "Correo electrónico", "Password": "Contraseña",
    "officer": "oficial", "supervisor": "supervisor/a", "admin": "administración",
    "Accounts are set up by an administrator, who can send you a link to choose your password.":
        "Las cuentas las crea una persona administradora, que puede enviarle un enlace para elegir su contraseña.",
    "Your session has ended: sign in again.": "Su sesión ha terminado: inicie sesión de nuevo.",
    "wrong email or password": "correo electrónico o contraseña incorrectos",
    "Back to the inbox": "Volver a la bandeja de entrada",
    "Form refused": "Formulario rechazado", "Refused": "Rechazado", "Invalid form": "Formulario no válido",
    "Page not found": "Página no encontrada", "Not allowed": "No permitido", "Error": "Error", "Not Found": "No encontrado",
    "Method Not Allowed": "Método no permitido",
    "Request too large": "Solicitud demasiado grande",
    "This request is larger than this site accepts ({limit}).": "Esta solicitud supera lo que este sitio acepta ({limit}).",
    "Something went wrong": "Algo salió mal",
    "An unexpected error occurred; it was logged. Try again, or tell your administrator.":
        "Se produjo un error inesperado, que quedó registrado. Inténtelo de nuevo o avise a la administración.",
    "This form has expired or did not come from this site. Go back, reload the page and try again.":
        "Este formulario ha caducado o no procede de este sitio. Vuelva atrás, recargue la página e inténtelo de nuevo.",
    "Check these fields and send the form again:": "Revise estos campos y envíe el formulario de nuevo:",
    # inbox and lists
    "Awaiting the decision of {org}": "En espera de la decisión de {org}", "Reference": "Referencia", "Type": "Tipo",
    "State": "Estado", "Stage": "Etapa", "Decision due": "Decisión antes de", "overdue": "vencido",
    "Nothing awaits your organisation's decision.": "Nada espera la decisión de su organización.",
    "Your deadlines in your calendar program (subscribe to this address; keep it to yourself):":
        "Sus plazos en su programa de calendario (suscríbase a esta dirección; no la comparta):",
    "Open actions": "Acciones abiertas", "Your actions": "Sus acciones", "Waits on": "Espera",
    "Next deadline": "Próximo plazo", "You have no open actions.": "No tiene acciones abiertas.",
    "Deadlines due within 7 days": "Plazos que vencen en 7 días", "Status": "Situación", "all": "todas",
    "Show": "Mostrar", "Other references": "Otras referencias", "No actions.": "No hay acciones.",
    # opening
    "State (ISO 3166-1 alpha-3 code, e.g. HND)": "Estado (código ISO 3166-1 alfa-3, p. ej. HND)",
    "Short internal title": "Título interno breve", "Letter language": "Idioma de las cartas",
    "the State's language": "el idioma del Estado", "Beneficiaries (one per line)": "Personas beneficiarias (una por línea)",
    "Open": "Abrir", "Opened {reference}.": "Se abrió {reference}.",
    # action page
    "letters in": "cartas en", "round": "ronda", "Beneficiaries": "Personas beneficiarias", "Stages": "Etapas",
    "Your decision for {org}": "Su decisión por {org}", "Comment (optional)": "Comentario (opcional)",
    "Approve": "Aprobar", "Reject": "Rechazar", "What must change (required to reject)": "Qué debe cambiar (obligatorio para rechazar)",
    "You decide for your own organisation only, once per round; whoever submitted the stage or last edited its letters cannot decide on it.":
        "Decide solo por su propia organización, una vez por ronda; quien presentó la etapa o editó por última vez sus cartas no puede decidir sobre ella.",
    "Casework": "Tramitación", "Submit stage {stage}": "Presentar la etapa {stage}",
    "Date the State's reply was received": "Fecha de recepción de la respuesta del Estado",
    "Acknowledgement of receipt only (A)": "Solo acuse de recibo (A)", "Record the reply": "Registrar la respuesta",
    "Skip this stage": "Omitir esta etapa", "Justification (recorded)": "Justificación (queda registrada)", "Skip": "Omitir",
    "Approvals": "Aprobaciones", "awaiting": "pendiente", "All decisions": "Todas las decisiones",
    "Organisation": "Organización", "By": "Por", "Decision": "Decisión", "Comment": "Comentario", "void": "anulada",
    "Letters": "Cartas", "Changes": "Cambios", "Changes from version {old} to version {new}": "Cambios de la versión {old} a la versión {new}",
    "Changes since version {old}, the last you saw or decided on (now version {new})":
        "Cambios desde la versión {old}, la última que vio o sobre la que decidió (ahora versión {new})",
    "Download PDF": "Descargar PDF", "Plain text": "Texto sin formato", "Open in a new tab": "Abrir en otra pestaña",
    "Letter": "Carta", "Edit the letter's fields": "Editar los campos de la carta", "optional": "opcional",
    "Save the letter": "Guardar la carta", "Version history": "Historial de versiones",
    "created by the system": "creada por el sistema", "compare with the current version": "comparar con la versión actual",
    "No letters yet.": "Todavía no hay cartas.", "Deadlines": "Plazos", "Deadline": "Plazo", "Due": "Vence",
    "No deadlines.": "No hay plazos.", "Outbox": "Bandeja de salida", "Recipient": "Destinatario", "Tries": "Intentos",
    "Nothing sent yet.": "Todavía no se ha enviado nada.",
    "Delivery failed": "Envío fallido",
    "These letters could not be delivered and will not be tried again; the officer of the action is told in the next reminder digest.":
        "Estas cartas no se pudieron entregar y no se volverá a intentar; el oficial de la acción lo sabrá en el próximo resumen de recordatorios.", "Timeline": "Cronología",
    # results of forms
    "Nothing changed.": "No cambió nada.", "Saved: {letter} is now version {version}.": "Guardado: {letter} está ahora en la versión {version}.",
    "Submitted. {reference} is now at stage {stage}.": "Presentado. {reference} está ahora en la etapa {stage}.",
    "Gate met. {reference} is now at stage {stage}.": "Aprobación completa. {reference} está ahora en la etapa {stage}.",
    "Its reference: {references}.": "Su referencia: {references}.",
    "This edit voided the approval of {approvers}: the stage must be approved again.":
        "Esta modificación anuló la aprobación de {approvers}: la etapa debe aprobarse de nuevo.",
    "Approval recorded; {reference} still awaits the other organisation's approval.":
        "Aprobación registrada; {reference} aún espera la aprobación de la otra organización.",
    "Rejected. {reference} is back at stage {stage}.": "Rechazado. {reference} vuelve a la etapa {stage}.",
    "Skipped. {reference} is now at stage {stage}.": "Omitida. {reference} está ahora en la etapa {stage}.",
    "Reply recorded. {reference} is now at stage {stage}.": "Respuesta registrada. {reference} está ahora en la etapa {stage}.",
    # overview
    "Open actions by stage": "Acciones abiertas por etapa", "Open actions by State": "Acciones abiertas por Estado",
    "Overdue deadlines": "Plazos vencidos", "States' reply rate": "Tasa de respuesta de los Estados",
    "Mean days to reply": "Días medios hasta la respuesta", "Days from opening to dispatch (median)": "Días desde la apertura hasta el envío (mediana)",
    "No open actions.": "No hay acciones abiertas.", "No overdue deadlines.": "No hay plazos vencidos.",
    "No replies owed yet.": "Todavía no se debe ninguna respuesta.", "Nothing dispatched yet.": "Todavía no se ha enviado nada.",
    "{replied} of {asked} replied": "{replied} de {asked} respondieron", "days": "días", "actions": "acciones",
    "The figures as a table": "Las cifras en una tabla", "Value": "Valor",
    # words of the domain
    "in progress": "en curso", "awaiting approval": "en espera de aprobación", "ready": "lista", "waiting": "en espera",
    "approved": "aprobada", "rejected": "rechazada", "draft": "borrador", "dispatched": "enviada", "withdrawn": "retirada",
    "approval sla": "plazo de aprobación", "state reply": "respuesta del Estado", "review": "revisión",
    "open": "abierto", "met": "cumplido", "lapsed": "vencido sin respuesta", "cancelled": "cancelado",
    "pending": "pendiente", "sending": "enviándose", "sent": "enviado", "failed": "fallido",
    "the officer": "la persona oficial", "approval by {org}": "aprobación de {org}", "automatic dispatch": "envío automático",
    "ActionOpened": "Acción abierta", "StageEntered": "Etapa iniciada", "LetterEdited": "Carta editada",
    "StageSubmitted": "Etapa presentada", "ApprovalGranted": "Aprobación", "StageRejected": "Rechazo",
    "ApprovalsVoided": "Aprobaciones anuladas", "GateMet": "Aprobación completa", "StageSkipped": "Etapa omitida",
    "ReferenceAssigned": "Referencia asignada", "LettersDispatched": "Cartas enviadas", "DeadlineSet": "Plazo fijado",
    "DeadlineClosed": "Plazo cerrado", "ReplyRecorded": "Respuesta registrada", "ActionClosed": "Acción cerrada",
    "LetterDelivered": "Carta entregada", "DeliveryFailed": "Entrega fallida",
    "DeadlineExtended": "Plazo prorrogado", "DeadlineCancelled": "Plazo cancelado", "ReminderQueued": "Recordatorio",
    "GateOpened": "Aprobación solicitada", "LetterStarted": "Carta iniciada", "DispatchQueued": "Envío en cola",
    "Your decision is on the letters as this page shows them:":
        "Su decisión es sobre las cartas tal como esta página las muestra:",
    "The letters changed since you opened this page: read the changes below and decide again.":
        "Las cartas cambiaron desde que abrió esta página: lea los cambios más abajo y decida de nuevo.",
    # sign-in throttling and the account page
    "Too many failed sign-ins: try again in {seconds} seconds.":
        "Demasiados intentos fallidos: inténtelo de nuevo dentro de {seconds} segundos.",
    "Your account": "Su cuenta", "Sessions": "Sesiones", "Sign out everywhere": "Cerrar sesión en todas partes",
    "Signed in somewhere you no longer use, or on a computer that is not yours? End every session of yours, "
    "this one included.":
        "¿Inició sesión en un lugar que ya no usa o en un ordenador ajeno? Cierre todas sus sesiones, "
        "también esta.",
    "You are signed out everywhere.": "Se han cerrado todas sus sesiones.",
    "Calendar address": "Dirección del calendario", "Renew the calendar address": "Renovar la dirección del calendario",
    "If someone else may know this address, give it a new one: the old one stops working.":
        "Si otra persona puede conocer esta dirección, cámbiela: la anterior deja de funcionar.",
    "Your calendar has a new address: subscribe to it again; the old one no longer works.":
        "Su calendario tiene una nueva dirección: suscríbase de nuevo; la anterior ya no funciona.",
    "Change your password": "Cambiar su contraseña", "Current password": "Contraseña actual",
    "New password": "Contraseña nueva", "New password again": "Repita la contraseña nueva",
    "Change the password": "Cambiar la contraseña",
    "At least 12 characters, not only spaces, and not your email address. Your other sessions are signed out.":
        "Al menos 12 caracteres, no solo espacios, y distinta de su correo electrónico. Sus otras sesiones se "
        "cierran.",
    "The new password and its confirmation differ.": "La contraseña nueva y su confirmación no coinciden.",
    "Your password is changed; your other sessions are signed out.":
        "Su contraseña ha cambiado; sus otras sesiones se han cerrado.",
    # refusals, worded for the web (web/errors.py)
    "required letter fields are not set": "faltan campos obligatorios de las cartas",
    "an administrator adds it to the address book": "una persona administradora lo añade a la libreta de direcciones",
    # part: find and take out (search of the actions, annual report)
    "Search": "Buscar",
    "Reference, State, beneficiary, words of the title or letters":
        "Referencia, Estado, beneficiario, palabras del título o de las cartas",
    "Clear the filters": "Quitar los filtros",
    "{n} actions": "{n} acciones", "1 action": "1 acción",
    "page {page} of {pages}": "página {page} de {pages}",
    "Pages": "Páginas", "Previous page": "Página anterior", "Next page": "Página siguiente",
    "Annual report {year} (figures by type and State, no names):":
        "Informe anual {year} (cifras por tipo y Estado, sin nombres):",
    # part: Spanish interface (issue 12, part 6) — organisations, recipients, actors, letters' titles and fields
    "the stage was rejected": "la etapa fue rechazada", "the stage was skipped": "la etapa fue omitida",
    "{letter} changed": "cambió {letter}",
    "system": "sistema", "the administration": "la administración",
    "request to decide": "solicitud de decisión", "on the day": "el día del vencimiento",
    "{days} days before": "{days} días antes", "escalation {n}": "escalamiento {n}",
    "grant": "otorgar", "dismiss": "desestimar", "extend": "prorrogar", "modify": "modificar", "lift": "levantar",
    "Acknowledgement of receipt to the requester": "Acuse de recibo a la parte solicitante",
    "Name of the requester": "Nombre de la parte solicitante", "Email of the requester": "Correo electrónico de la parte solicitante",
    "Summary of the request": "Resumen de la solicitud",
    "Request for information to the State (Article 25)": "Solicitud de información al Estado (artículo 25)",
    "Facts reported by the requester": "Hechos denunciados por la parte solicitante",
    "Information requested from the State": "Información solicitada al Estado",
    "Days the State has to reply": "Días que tiene el Estado para responder",
    "Resolution granting or dismissing the precautionary measure":
        "Resolución que otorga o desestima la medida cautelar",
    "Summary of the facts": "Resumen de los hechos", "Information provided by the State": "Información aportada por el Estado",
    "Analysis of seriousness": "Análisis de la gravedad", "Analysis of urgency": "Análisis de la urgencia",
    "Analysis of irreparable harm": "Análisis del daño irreparable",
    "Measures requested of the State": "Medidas solicitadas al Estado",
    "Follow-up resolution extending, modifying or lifting the measure":
        "Resolución de seguimiento que prorroga, modifica o levanta la medida",
    "Outcome": "Resultado", "Assessment of the current risk": "Evaluación del riesgo actual",
    "Urgent appeal to the Government": "Llamamiento urgente al Gobierno",
    "Mandates of the signatories": "Mandatos de quienes firman", "Subject": "Asunto",
    "Information received": "Información recibida", "Concerns": "Preocupaciones",
    "Questions to the Government (one per line)": "Preguntas al Gobierno (una por línea)",
    "Interim measures requested": "Medidas provisionales solicitadas",
    "Reference to international human rights law": "Referencia al derecho internacional de los derechos humanos",
    "Joint communication to the State": "Comunicación conjunta al Estado",
    "Situation of concern": "Situación preocupante", "Requests to the State (one per line)": "Peticiones al Estado (una por línea)",
    "Joint press release (published, not sent)": "Comunicado de prensa conjunto (se publica, no se envía)",
    "Headline": "Titular", "Text of the press release": "Texto del comunicado de prensa",
    "Letter {letter}": "Carta {letter}",
    "Preview in another language:": "Vista previa en otro idioma:",
    "English": "inglés", "Spanish": "español", "French": "francés", "Portuguese": "portugués",
    "another change to the same record won the race; nothing was written — try again":
        "otro cambio del mismo registro llegó antes; no se guardó nada: inténtelo de nuevo",
    "a value the database cannot store (a NUL character, a number too large)":
        "un valor que la base de datos no puede guardar (un carácter NUL, un número demasiado grande)",
    "the database is busy or cannot be reached; try again in a moment":
        "la base de datos está ocupada o no responde; inténtelo de nuevo en un momento",
    # part: lifecycle (issue 12, part 1: withdraw, close by hand, reopen, link)
    "The life of the action": "La vida de la acción", "Withdraw this action": "Retirar esta acción",
    "Withdraw": "Retirar", "Close this action": "Cerrar esta acción", "Close": "Cerrar", "Reopen": "Reabrir",
    "Before any letter goes out: its deadlines are cancelled and nothing is sent. A supervisor can reopen it.":
        "Antes de que salga ninguna carta: sus plazos se cancelan y no se envía nada. Un/a supervisor/a puede "
        "reabrirla.",
    "Its deadlines and the letters not yet sent are cancelled. A supervisor can reopen it.":
        "Sus plazos y las cartas aún no enviadas se cancelan. Un/a supervisor/a puede reabrirla.",
    "Withdrawn because:": "Retirada porque:", "Closed because:": "Cerrada porque:",
    "Linked actions": "Acciones vinculadas", "No linked actions.": "No hay acciones vinculadas.",
    "Link to another action": "Vincular con otra acción", "Link": "Vincular",
    "Other action's reference": "Referencia de la otra acción", "Relation": "Relación",
    "Note": "Nota",
    "state replied": "el Estado respondió", "measure lifted": "medida levantada",
    "situation resolved": "situación resuelta", "other": "otro",
    "same defender": "misma persona defensora", "same situation": "misma situación",
    "follows up": "da seguimiento a", "followed up by": "seguida por",
    "Withdrawn. Its deadlines are cancelled and nothing will be sent for {reference}.":
        "Retirada. Sus plazos se cancelan y no se enviará nada de {reference}.",
    "Closed. Its deadlines and the letters not yet sent for {reference} are cancelled.":
        "Cerrada. Se cancelan sus plazos y las cartas aún no enviadas de {reference}.",
    "Reopened. {reference} is at stage {stage} again.": "Reabierta. {reference} vuelve a estar en la etapa {stage}.",
    "Linked. The link shows on both actions' pages.": "Vinculadas. El vínculo aparece en las páginas de ambas acciones.",
    "Ended actions": "Acciones terminadas", "No ended actions.": "No hay acciones terminadas.",
    "closed at its last stage": "cerrada en su última etapa",
    "ActionWithdrawn": "Acción retirada", "ActionClosedByHand": "Acción cerrada a mano",
    "ActionReopened": "Acción reabierta", "ActionLinked": "Acción vinculada", "OutboxCancelled": "Envíos cancelados",
    # part: administration (issue 12, part 2)
    "Administration": "Administración", "Users": "Usuarios", "Address book": "Libreta de direcciones",
    "Signatories": "Firmantes", "Change": "Cambiar", "Name": "Nombre", "Role": "Rol", "Kind": "Tipo",
    "Last sign-in": "Último inicio de sesión", "never": "nunca", "you": "usted", "enabled": "habilitado",
    "disabled": "deshabilitado", "Enable": "Habilitar", "Disable (their sessions end)": "Deshabilitar (sus sesiones se cierran)",
    "Change the role": "Cambiar el rol", "Change the organisation": "Cambiar la organización",
    "Email a link to set the password": "Enviar por correo un enlace para fijar la contraseña",
    "No users.": "No hay usuarios.", "Add a user": "Añadir un usuario", "Add the user": "Añadir el usuario",
    "Added {email}. Send them a link to set their password.":
        "Se añadió {email}. Envíele un enlace para fijar su contraseña.",
    "{email} has a new role; their sessions are ended.": "{email} tiene un nuevo rol; sus sesiones se han cerrado.",
    "{email} moved to the other organisation; their sessions are ended.":
        "{email} pasó a la otra organización; sus sesiones se han cerrado.",
    "{email} is disabled; their sessions are ended.": "{email} está deshabilitado; sus sesiones se han cerrado.",
    "{email} is enabled again.": "{email} está habilitado de nuevo.", "{email}: nothing changed.": "{email}: nada cambió.",
    "A link to set a password is on its way to {email}; it works once, for 48 hours.":
        "Un enlace para fijar la contraseña va camino de {email}; sirve una vez, durante 48 horas.",
    "No recipients.": "No hay destinatarios.", "Add a recipient": "Añadir un destinatario",
    "Add the recipient": "Añadir el destinatario", "Save": "Guardar",
    "Remove from the address book": "Quitar de la libreta de direcciones",
    "Added {email} to the address book of {country}.": "Se añadió {email} a la libreta de direcciones de {country}.",
    "Saved {email}.": "Se guardó {email}.",
    "Removed {email} from the address book; letters sent before keep their address.":
        "Se quitó {email} de la libreta de direcciones; las cartas ya enviadas conservan su dirección.",
    "permanent mission geneva": "misión permanente en Ginebra", "oas mission": "misión ante la OEA",
    "foreign ministry": "ministerio de relaciones exteriores",
    "The person who signs the letters of each organisation: their name appears above the line “On behalf of …”. "
    "With none set, letters carry that line alone.":
        "La persona que firma las cartas de cada organización: su nombre aparece sobre la línea «En nombre de…». "
        "Si no hay ninguna, las cartas llevan solo esa línea.",
    "No signatory set.": "No hay firmante.", "Form of address": "Tratamiento", "Title": "Cargo",
    "Title in letters in": "Cargo en las cartas en", "Save the signatory": "Guardar el firmante",
    "Letters of {organisation} are signed by {name}.": "Las cartas de {organisation} las firma {name}.",
    "Set your password": "Fije su contraseña", "Set the password": "Fijar la contraseña",
    "Your password is set: sign in with it.": "Su contraseña está fijada: inicie sesión con ella.",
    "this link to set a password is not known: ask an admin for a new one":
        "este enlace para fijar una contraseña no se conoce: pida uno nuevo a la administración",
    "this link to set a password was already used, or a newer one was sent: ask an admin for a new one if you need it":
        "este enlace para fijar una contraseña ya se usó, o se envió uno más reciente: pida uno nuevo a la "
        "administración si lo necesita",
    "this link to set a password has expired: ask an admin for a new one":
        "este enlace para fijar una contraseña ha caducado: pida uno nuevo a la administración",
    "this account is disabled": "esta cuenta está deshabilitada",
    # part: deadlines in the browser (issue 12, part 3)
    "Extend or cancel": "Prorrogar o cancelar", "New due date": "Nueva fecha límite",
    "Extend the deadline": "Prorrogar el plazo", "Cancel the deadline": "Cancelar el plazo",
    "At the same local time of day; reminders start again for the new date.":
        "A la misma hora local; los recordatorios se reanudan para la nueva fecha.",
    "No more reminders for it, and nothing happens when it passes.":
        "No habrá más recordatorios y nada ocurrirá cuando venza.",
    "Deadline extended: {kind} now due {due}.": "Plazo prorrogado: {kind} vence ahora el {due}.",
    "Deadline cancelled: {kind}.": "Plazo cancelado: {kind}.",
    # part: archival PDF (issue 13, part 7)
    "PDF/A as dispatched, SHA-256": "PDF/A tal como se envió, SHA-256",
    # part: forms of address (issue 13, part 3)
    "the institution": "la institución",
    "Office (who heads it)": "Cargo (quién la encabeza)",
    "Grammatical gender of the title": "Género gramatical del cargo",
    "none: the institution is addressed": "ninguno: se dirige a la institución",
    "minister of foreign affairs": "ministro o ministra de Relaciones Exteriores", "ambassador": "embajador o embajadora",
    "permanent representative": "representante permanente", "chargé d'affaires": "encargado o encargada de negocios",
    "none": "ninguno", "feminine": "femenino", "masculine": "masculino",
    "The letters greet the office holder by their title; without an office they address the ministry or mission itself.":
        "Las cartas saludan a quien ocupa el cargo con su tratamiento; sin cargo, se dirigen al ministerio o a la misión.",
    # part: mandates and signatories (issue 13, part 1)
    "Letters are signed by the holders of the mandates they name, on the day they go to their gate; the names are "
    "kept with the letter, so a later change here never changes a letter approved or sent. A letter naming a "
    "mandate without a holder on that day cannot go to its gate.":
        "Firman las cartas quienes ejercen los mandatos que estas nombran, el día en que pasan a aprobación; los "
        "nombres quedan con la carta, de modo que un cambio posterior aquí nunca cambia una carta aprobada o "
        "enviada. Una carta que nombra un mandato sin titular ese día no puede pasar a aprobación.",
    "Mandate": "Mandato", "Holder today": "Titular hoy", "Terms": "Períodos", "Resolution": "Resolución",
    "vacant": "vacante", "verified": "verificada", "not verified": "sin verificar",
    "source": "fuente", "Checked against its source": "Verificada con su fuente", "Add a term": "Añadir un período",
    "From": "Desde", "Until": "Hasta", "Add the term": "Añadir el período",
    "End a term": "Terminar un período", "Last day of the term": "Último día del período",
    "End the term": "Terminar el período", "{name} holds {mandate} from {day}.": "{name} ejerce {mandate} desde el {day}.",
    "The term of {name} ({mandate}) ends on {day}.": "El período de {name} ({mandate}) termina el {day}.",
    "Saved {mandate}.": "Guardado: {mandate}.",
    "No holder of {mandates} on {day}: the letter cannot go to its gate until an administrator enters one "
    "(Administration, Signatories).":
        "Ningún titular de {mandates} el {day}: la carta no puede pasar a aprobación hasta que una persona "
        "administradora lo registre (Administración, Firmantes).",
    "Special Rapporteurs of the Human Rights Council": "Relatorías Especiales del Consejo de Derechos Humanos",
    "IACHR rapporteurships": "Relatorías de la CIDH",
    # part: automatic steps that fail (issue 14, part 5)
    "Automatic steps stopped": "Pasos automáticos detenidos",
    "since {when}, after {n} reruns, because:": "desde el {when}, tras {n} reintentos, porque:",
    "Fix the cause (for instance the address book), then advance the action again:":
        "Corrija la causa (por ejemplo, la libreta de direcciones) y vuelva a avanzar la acción:",
    "The automatic steps failed; they are tried again at {when}:":
        "Los pasos automáticos fallaron; se reintentarán el {when}:",
    "Automatic steps failed": "Pasos automáticos fallidos", "Automatic steps rerun": "Pasos automáticos reintentados",
    "Automatic steps resumed": "Pasos automáticos reanudados",
}
EN_EVENTS = {
    "ActionOpened": "Action opened", "StageEntered": "Stage entered", "LetterEdited": "Letter edited",
    "StageSubmitted": "Stage submitted", "ApprovalGranted": "Approved", "StageRejected": "Rejected",
    "ApprovalsVoided": "Approvals void", "GateMet": "Gate met", "StageSkipped": "Stage skipped",
    "ReferenceAssigned": "Reference assigned", "LettersDispatched": "Letters dispatched", "DeadlineSet": "Deadline set",
    "DeadlineClosed": "Deadline closed", "ReplyRecorded": "Reply recorded", "ActionClosed": "Action closed",
    "LetterDelivered": "Letter delivered", "DeliveryFailed": "Delivery failed",
    "DeadlineExtended": "Deadline extended", "DeadlineCancelled": "Deadline cancelled", "ReminderQueued": "Reminder",
    "GateOpened": "Decision requested", "LetterStarted": "Letter started", "DispatchQueued": "Messages queued",
    # part: lifecycle
    "ActionWithdrawn": "Action withdrawn", "ActionClosedByHand": "Action closed by hand",
    "ActionReopened": "Action reopened", "ActionLinked": "Action linked", "OutboxCancelled": "Unsent messages cancelled",
    # part: automatic steps that fail (issue 14, part 5)
    "AutomaticStepsFailed": "Automatic steps failed", "AutomaticStepsRetried": "Automatic steps rerun",
    "AutomaticStepsStopped": "Automatic steps stopped", "AutomaticStepsResumed": "Automatic steps resumed",
}
CATALOGS: dict[str, dict[str, str]] = {Language.EN.value: {}, Language.ES.value: ES}
LANGUAGE_NAMES = {Language.EN.value: "English", Language.ES.value: "Español"}  # each in its own language

# The forms' fields, by the name the domain gives the input (an error's `field`), and their labels.
FIELD_LABELS = {
    "type": "Type",
    "country": "State (ISO 3166-1 alpha-3 code, e.g. HND)",
    "title": "Short internal title",
    "language": "Letter language",
    "beneficiaries": "Beneficiaries (one per line)",
    "received_on": "Date the State's reply was received",
    "reason": "Justification (recorded)",
    "to": "New due date",
    "comment": "What must change (required to reject)",
    "letter": "Letter",
    "password": "New password",
    # part: lifecycle
    "outcome": "Outcome",
    "other": "Other action's reference",
    "relation": "Relation",
    "note": "Note",
    # part: forms of address (issue 13, part 3)
    "office": "Office (who heads it)",
    "gender": "Grammatical gender of the title",
}


# The English words of the domain's codes that are not spelled as words elsewhere.
RECIPIENT_KINDS = {"permanent-mission-geneva": "permanent mission in Geneva", "oas-mission": "mission to the OAS",
                   "foreign-ministry": "ministry of foreign affairs", "requester": "the requester", "staff": "staff"}
LETTER_LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "fr": "French", "pt": "Portuguese"}  # in English
ACTORS = {"system": "system", "admin": "the administration"}  # the audit trail's actors that are not a person


class Translator:
    """English text to the interface's language; it knows which language that is (a refusal's
    domain message, left in English, is marked as such in a page of another language)."""

    def __init__(self, language: str) -> None:
        self.language = language if language in CATALOGS else DEFAULT_INTERFACE_LANGUAGE
        self._catalog = CATALOGS[self.language]

    def __call__(self, text: str) -> str:
        return self._catalog.get(text, text)


def translator(language: str) -> Translator:
    return Translator(language)


def label(t: Callable[[str], str], kind: str, value: str) -> str:
    """A word of the domain in the interface's language: a stage, a status, an inbox's "waits on", an
    organisation ("ohchr": ACNUDH in Spanish), a recipient's kind, an actor of the audit trail ("system"),
    a reminder's threshold ("request", "before-3d")…"""
    if kind == "event":
        translated = t(value)
        return EN_EVENTS.get(value, value) if translated == value else translated
    if kind == "org":  # "ohchr" or "OHCHR": ACNUDH / CIDH in Spanish
        return t(value.upper())
    if kind == "recipient":
        return t(RECIPIENT_KINDS.get(value, value))
    if kind == "language":  # a letter's language, by its code
        return t(LETTER_LANGUAGE_NAMES.get(value, value))
    if kind == "actor":  # a person's email, or the system
        return t(ACTORS[value]) if value in ACTORS else value
    if kind == "threshold":  # a reminder's: "request", "before-3d", "on-the-day", "escalation-2"
        return _threshold(t, value)
    if kind == "waits":
        what, _, arg = value.partition(":")
        if what == "approval":
            return t("approval by {org}").format(org=label(t, "org", arg))
        if what == "deadline":
            return t(arg.replace("_", " "))
        return t({"officer": "the officer", "dispatch": "automatic dispatch"}.get(what, what))
    return t(value.replace("_", " ").replace("-", " "))


def _threshold(t: Callable[[str], str], key: str) -> str:
    if key == "request":
        return t("request to decide")
    if key == "on-the-day":
        return t("on the day")
    if key.startswith("before-") and key.endswith("d") and key[7:-1].isdigit():
        return t("{days} days before").format(days=key[7:-1])
    if key.startswith("escalation-") and key[11:].isdigit():
        return t("escalation {n}").format(n=key[11:])
    return key


def negotiate(accept_language: str) -> str:
    """The first of our languages in an Accept-Language header, by its q weights; English otherwise."""
    choices = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in INTERFACE_LANGUAGES and q > 0:
            choices.append((-q, index, primary))
    return min(choices)[2] if choices else DEFAULT_INTERFACE_LANGUAGE

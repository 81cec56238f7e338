"""The pure domain: joint actions, their stages, gates, letters and deadlines.

Imports only the standard library; time comes in as an argument.
"""

from .errors import (
    Conflict,
    CoordinationError,
    IncompleteLetters,
    InvalidInput,
    InvalidState,
    NotFound,
    NotPermitted,
    StaleLetters,
    Unavailable,
)
from .model import Approval, JointAction, Link, OutboxEntry, Ports, Reference, Reply
from .stages import DEFINITIONS
from .vocabulary import (
    ENDED,
    ActionType,
    Command,
    DeadlineKind,
    DeadlineStatus,
    Decision,
    LetterStatus,
    LinkRelation,
    Organisation,
    Outcome,
    Recipient,
    RecipientKind,
    ReferenceKind,
    Role,
    StageKind,
    Status,
    User,
)

__all__ = [
    "ActionType", "Approval", "Command", "CoordinationError", "Conflict", "DEFINITIONS", "Decision", "DeadlineKind", "ENDED", "Link", "LinkRelation", "Outcome",
    "DeadlineStatus", "IncompleteLetters", "InvalidInput", "InvalidState", "JointAction", "LetterStatus",
    "NotFound", "NotPermitted", "Organisation", "OutboxEntry", "Ports", "Recipient", "RecipientKind",
    "Reference", "ReferenceKind", "Reply", "Role", "StageKind", "StaleLetters", "Status", "Unavailable", "User",
]

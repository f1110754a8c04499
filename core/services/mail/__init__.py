"""Outgoing mail: the outbox (queue in the caller's transaction, send after commit), SMTP
delivery configured by MAIL_URL, and the admin's view of the outbox."""

from core.services.mail.listing import PER_PAGE, OutboxPage, find_message, outbox_page
from core.services.mail.outbox import (
    BACKOFF,
    CLAIM_FOR,
    MAX_ATTEMPTS,
    QUEUED_FLAG,
    Attachment,
    MailContent,
    NotResendable,
    SendReport,
    Transport,
    TransportError,
    build_email,
    message_id_domain,
    queue_mail,
    send_again,
    send_pending,
)
from core.services.mail.smtp import (
    SMTP_TIMEOUT_SECONDS,
    InvalidMailUrl,
    SmtpTransport,
    transport_from_url,
)

__all__ = [
    "BACKOFF",
    "CLAIM_FOR",
    "MAX_ATTEMPTS",
    "PER_PAGE",
    "QUEUED_FLAG",
    "SMTP_TIMEOUT_SECONDS",
    "Attachment",
    "InvalidMailUrl",
    "MailContent",
    "NotResendable",
    "OutboxPage",
    "SendReport",
    "SmtpTransport",
    "Transport",
    "TransportError",
    "build_email",
    "find_message",
    "message_id_domain",
    "outbox_page",
    "queue_mail",
    "send_again",
    "send_pending",
    "transport_from_url",
]

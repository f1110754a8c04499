"""SMTP delivery with the standard library, configured by MAIL_URL."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from core.services.mail.outbox import TransportError

SMTP_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class SmtpTransport:
    """Sends through an SMTP server with the standard library: one connection per message."""

    host: str
    port: int
    security: str = "none"  # "none", "starttls" or "tls" (implicit TLS, smtps://)
    username: str = ""
    password: str = ""
    timeout: float = SMTP_TIMEOUT_SECONDS
    ssl_context: ssl.SSLContext | None = None

    def _connect(self) -> smtplib.SMTP:
        context = self.ssl_context or ssl.create_default_context()
        if self.security == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            smtp.starttls(context=context)
        return smtp

    def send(self, message: EmailMessage) -> None:
        try:
            with self._connect() as smtp:
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            raise TransportError(str(error), permanent=all(c >= 500 for c in codes)) from error
        except smtplib.SMTPDataError as error:  # the server refused this message
            raise TransportError(_describe(error), permanent=error.smtp_code >= 500) from error
        except smtplib.SMTPResponseException as error:
            # Login, sender or greeting refused: the setup is wrong, not this message. Retried,
            # so fixing MAIL_URL sends everything that waited.
            raise TransportError(_describe(error)) from error
        except (smtplib.SMTPException, OSError) as error:  # refused, timed out, TLS failed
            raise TransportError(str(error) or type(error).__name__) from error


def _describe(error: smtplib.SMTPResponseException) -> str:
    detail = error.smtp_error
    text = detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)
    return f"{error.smtp_code} {text}"


class InvalidMailUrl(ValueError):
    pass


def transport_from_url(url: str, *, timeout: float = SMTP_TIMEOUT_SECONDS) -> SmtpTransport | None:
    """The transport MAIL_URL describes, or None when it is blank (mail is kept, not sent).

    smtp://user:pass@host:587?starttls=1, smtp://host:25 (plain), smtps://user:pass@host:465.
    Raises InvalidMailUrl for another scheme or a missing host.
    """
    if not url.strip():
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise InvalidMailUrl(f"MAIL_URL must look like smtp://user:pass@host:587, not {url!r}")
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
    security = "tls" if parts.scheme == "smtps" else ("starttls" if starttls else "none")
    return SmtpTransport(
        host=parts.hostname,
        port=parts.port or (465 if security == "tls" else 587 if starttls else 25),
        security=security,
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        timeout=timeout,
    )

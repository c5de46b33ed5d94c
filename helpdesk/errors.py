"""The exceptions raised by the helpdesk package.

Every error carries a ``hint``: one sentence telling the operator (or the code catching it)
what to do next. Callers catch the narrowest class they can act on::

    HelpdeskError
    ├── ConfigurationError      a setting is missing or malformed
    │   └── UnsafeSettings      the production profile refused to start; ``problems`` lists each
    ├── StorageError            the database or media store failed
    │   ├── DatabaseUnavailable the database cannot be reached or is not migrated
    │   └── MediaNotFound       no stored media object has that sha256
    ├── MediaError              media could not be fetched, decoded or analysed
    │   └── MediaRejected       the file was refused; ``reason`` is a stable code
    ├── WhatsAppError           the WhatsApp Cloud API (or the sandbox) refused or failed
    │   ├── SignatureError      a webhook's X-Hub-Signature-256 did not verify
    │   ├── MalformedWebhook    a webhook body is not Meta's envelope (400, nothing stored)
    │   ├── GraphAPIError       the Graph API answered with an error object
    │   ├── InboxPoison         an inbox message kept stopping its processor
    │   └── MetaError           the sandbox refuses a Graph API call as Meta would
    ├── TicketingError          the ticketing backend (built-in, Zendesk, Freshdesk) failed
    └── KnowledgeBaseError      knowledge/*.yml has problems; ``problems`` lists each one
"""

from __future__ import annotations


class HelpdeskError(Exception):
    """Base class of every error the helpdesk package raises on purpose."""

    hint = "See the log above for details."

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base} ({self.hint})" if self.hint else base


class ConfigurationError(HelpdeskError):
    hint = "Check the setting in your environment or .env file; .env.example documents each one."


class UnsafeSettings(ConfigurationError):
    """The production profile found settings that are unsafe to expose; ``problems`` names
    each setting and what to set instead."""

    hint = "Fix each setting listed (in the environment or .env), then start again."

    def __init__(self, message: str, *, problems: list[str], hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.problems = list(problems)


class StorageError(HelpdeskError):
    hint = "Check that the database and media store are reachable, then retry."


class DatabaseUnavailable(StorageError):
    hint = (
        "Check HELPDESK_DATABASE_URL and run `helpdesk db upgrade` to create or migrate the schema."
    )


class MediaNotFound(StorageError):
    hint = "The media was never stored here, or it was erased or purged."


class MediaError(HelpdeskError):
    hint = "Ask the customer to send the file again."


class MediaRejected(MediaError):
    """A file was refused; ``reason`` is a stable code such as ``corrupt`` or ``too_large``."""

    hint = "Tell the customer why, in their language, and ask for another file."

    def __init__(self, reason: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.reason = reason


class WhatsAppError(HelpdeskError):
    hint = "Check WHATSAPP_GRAPH_URL and WHATSAPP_ACCESS_TOKEN, then retry."


class SignatureError(WhatsAppError):
    hint = "Make sure WHATSAPP_APP_SECRET matches the app secret of the Meta app."


class MalformedWebhook(WhatsAppError):
    """The body is not a WhatsApp webhook envelope (answered with 400, nothing stored)."""

    hint = "Only Meta (or the sandbox) should post to the webhook: JSON with an entry list."


class GraphAPIError(WhatsAppError):
    """An error object from the Graph API: ``code``, ``title`` and whether a retry may help."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        status: int | None = None,
        retryable: bool = False,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.code = code
        self.status = status
        self.retryable = retryable


class MetaError(WhatsAppError):
    """The sandbox's Graph API look-alike refuses a call as Meta would: Meta's error
    ``code`` and ``details``, the HTTP ``status`` and an optional ``subcode``; the sandbox
    answers with Meta's error body (``helpdesk.sandbox.meta.error_response``)."""

    hint = "Meta would refuse this call too: fix what the bot sends."

    def __init__(
        self,
        code: int,
        details: str,
        *,
        status: int = 400,
        subcode: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(details, hint=hint)
        self.code = code
        self.details = details
        self.status = status
        self.subcode = subcode


class InboxPoison(WhatsAppError):
    """An inbox message whose processing stopped the process ``max_attempts`` times."""

    hint = (
        "The message is marked failed in whatsapp_inbox (last_error); look for a crash or an "
        "out-of-memory kill in the log at its attempts, the customer was asked to resend."
    )
    retryable = False


class DialogueUnavailable(HelpdeskError):
    """The inbox worker process could not get a turn from any Rasa replica (stopped,
    loading its model, or failing); the message stays in the inbox and is tried again.
    If it lasts, check the replicas' logs and that HELPDESK_RASA_TOKEN is the same for
    them and the worker."""

    retryable = True


class TicketingError(HelpdeskError):
    hint = "Check the ticketing backend's URL and credentials; the case stays in the local queue."


class KnowledgeBaseError(HelpdeskError):
    """The knowledge base did not validate; ``problems`` names file, line and entry of each."""

    hint = "Fix the lines listed, then run `helpdesk kb check`."

    def __init__(self, message: str, *, problems: list | None = None, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.problems = list(problems or [])


# Console
#
# The agent console's errors (``helpdesk.console``). The console answers each by its class
# (``helpdesk.console.answers.HTTP_STATUS``), never by its message:
#
#   HelpdeskError
#   ├── AccessError             the console does not know who is asking, or refuses them
#   │   ├── NotSignedIn         a page without a session: redirect to the sign-in page
#   │   ├── Unauthorized        an API call without a valid bearer token (401)
#   │   └── Forbidden           signed in, but the role may not do this (403)
#   ├── AuthError               a sign-in, or an agent's name, role or password, was refused (401)
#   │   └── LockedOut           too many failed sign-ins; even the right password waits (429)
#   └── TicketingError
#       ├── TicketNotFound      no ticket has that number (404)
#       └── Conflict            the action does not fit the ticket's status (409)


class AccessError(HelpdeskError):
    hint = "Sign in to the console, or ask an admin for access."


class NotSignedIn(AccessError):
    """A page was asked for without a session: the console redirects to the sign-in page
    and, once signed in, back to ``next_url``."""

    hint = "Sign in at /login; the console brings you back to this page."

    def __init__(self, next_url: str, *, hint: str | None = None) -> None:
        super().__init__(f"sign in to see {next_url}", hint=hint)
        self.next_url = next_url


class Unauthorized(AccessError):
    """An API call without a valid bearer token."""

    hint = "Sign in with POST /api/login first and send Authorization: Bearer <token>."

    def __init__(self, message: str = "no valid bearer token", *, hint: str | None = None):
        super().__init__(message, hint=hint)


class Forbidden(AccessError):
    """Signed in, but the agent's role may not do this."""

    hint = "Ask an admin to do it, or to give you the admin role."


class AuthError(HelpdeskError):
    hint = "Check the username and password."


class LockedOut(AuthError):
    hint = "Too many failed sign-ins; wait and try again, or ask an admin."


class LastAdmin(AuthError):
    """Demoting the only active admin would leave nobody to manage agents or read the audit."""

    hint = "Make another agent an admin first."


class TicketNotFound(TicketingError):
    hint = "Check the ticket number; the queue at / lists every ticket."


class Conflict(TicketingError):
    """The action does not fit the ticket's status (e.g. replying to a closed case)."""

    hint = "Reload the ticket: it changed; replies go out only while an agent has the case."


class WindowClosed(Conflict):
    """Free text to a customer whose 24-hour window has closed: WhatsApp would not deliver
    it (error 131047), so it is not sent at all."""

    hint = (
        "The customer has not written for 24 hours: send one of the approved templates "
        "instead (the ticket page lists them); free text is possible again once they reply."
    )


class TemplateParametersInvalid(TicketingError):
    """A template's variables are missing or would be refused by Meta (132000, 132018)."""

    hint = "Fill in every field of the template: one line each, no tabs, within the length shown."


class TemplateNotApproved(TicketingError):
    """A template name that is not among the approved templates."""

    hint = "Pick one of the approved templates listed on the ticket page."

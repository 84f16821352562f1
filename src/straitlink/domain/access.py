"""Who may do what: account roles, the one table of their permissions, and the decisions made from them.

Like the workflow's transition table, `PERMISSIONS` is the single place a role's rights are written;
`docs/permissions.md` is generated from it and a test fails when the two drift. The services ask `decide_*` before
they touch anything, and lists ask `RecordScope` for the condition they put into SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from straitlink.domain.errors import Forbidden, InvalidValue, NotFound
from straitlink.domain.marking import Classification, Marking
from straitlink.domain.parties import Party
from straitlink.domain.requests import AssistanceRequest
from straitlink.domain.workflow import Acting
from straitlink.domain.workflow import Role as WorkflowRole


class AccountRole(StrEnum):
    ADMIN = "admin"  # accounts and the catalogue
    LIAISON_OFFICER = "liaison_officer"  # 聯繫主體: files, sends, receives, routes and answers its side's requests
    PROSECUTOR = "prosecutor"  # its agency's cases and what they hold; requests its agency asked for or executes
    INVESTIGATOR = "investigator"  # the same scope as a prosecutor, for the judicial police
    ANALYST = "analyst"  # statistics, bulletins, reconciliation; records at their clearance
    VIEWER = "viewer"  # reads, never writes
    PEER = "peer"  # the other side's instance, acting through the exchange


class Permission(StrEnum):
    """One right; the use cases each require one."""

    ACCOUNTS_MANAGE = "accounts.manage"
    CATALOG_MANAGE = "catalog.manage"  # edit added agencies (names, parent, kind) and the rest of the catalogue
    # Add an agency the catalogue lacks. Liaison officers hold it as well as admins: they file and record requests
    # naming mainland city bureaus and local courts the shipped catalogue cannot list, and must not wait on an admin
    # to name the agency a request comes from. Adding only adds a name (audited, refused if it clashes with another
    # agency's); editing changes how every record already naming the agency reads, so it stays with admins.
    AGENCIES_ADD = "agencies.add"
    CASES_READ = "cases.read"  # cases, operations, persons, seizures, intel, outcomes
    CASES_WRITE = "cases.write"
    MEETINGS_READ = "meetings.read"  # meetings, published figures, source documents
    MEETINGS_WRITE = "meetings.write"
    REQUESTS_READ = "requests.read"
    REQUESTS_FILE = "requests.file"
    REQUESTS_ACT = "requests.act"  # take a workflow step the state machine allows the acting side
    REQUESTS_RECORD_PEER = "requests.record_peer"  # record a step the other side reported through the channel
    STATS_READ = "stats.read"
    BULLETINS_PRODUCE = "bulletins.produce"
    INGEST = "ingest"  # propose and accept records from documents
    AUDIT_READ = "audit.read"
    DATA_TRANSFER = "data.transfer"  # export and import the whole database
    EXCHANGE = "exchange"  # deliver and receive messages between the instances
    EXCHANGE_MANAGE = "exchange.manage"  # this instance's exchange keys (and their rotation) and its peers


class Scope(StrEnum):
    """How far a role's reads and writes reach among records of one family."""

    ALL = "all"
    AGENCY = "agency"  # records of cases (or requests) in which the account's agency or one of its units takes part
    NONE = "none"


P = Permission
_READ_ALL = frozenset({P.CASES_READ, P.MEETINGS_READ, P.REQUESTS_READ})

# The one table: what each role may do, and how far its case and request records reach.
PERMISSIONS: dict[AccountRole, frozenset[Permission]] = {
    AccountRole.ADMIN: frozenset(
        {P.ACCOUNTS_MANAGE, P.CATALOG_MANAGE, P.AGENCIES_ADD, P.AUDIT_READ, P.DATA_TRANSFER, P.EXCHANGE_MANAGE}
    ),
    AccountRole.LIAISON_OFFICER: _READ_ALL
    | {
        P.CASES_WRITE,
        P.MEETINGS_WRITE,
        P.REQUESTS_FILE,
        P.REQUESTS_ACT,
        P.REQUESTS_RECORD_PEER,
        P.STATS_READ,
        P.INGEST,
        P.AGENCIES_ADD,
    },
    AccountRole.PROSECUTOR: _READ_ALL | {P.CASES_WRITE, P.REQUESTS_FILE, P.REQUESTS_ACT},
    AccountRole.INVESTIGATOR: _READ_ALL | {P.CASES_WRITE, P.REQUESTS_FILE, P.REQUESTS_ACT},
    AccountRole.ANALYST: _READ_ALL | {P.MEETINGS_WRITE, P.STATS_READ, P.BULLETINS_PRODUCE, P.INGEST, P.AUDIT_READ},
    AccountRole.VIEWER: _READ_ALL | {P.STATS_READ},
    AccountRole.PEER: frozenset({P.EXCHANGE}),
}

SCOPES: dict[AccountRole, Scope] = {
    AccountRole.ADMIN: Scope.NONE,
    AccountRole.LIAISON_OFFICER: Scope.ALL,
    AccountRole.PROSECUTOR: Scope.AGENCY,
    AccountRole.INVESTIGATOR: Scope.AGENCY,
    AccountRole.ANALYST: Scope.ALL,
    AccountRole.VIEWER: Scope.ALL,
    AccountRole.PEER: Scope.NONE,
}

# Record kinds by the permission family that guards them.
CASE_KINDS = frozenset({"case", "operation", "person", "seizure", "intel", "outcome"})
MEETING_KINDS = frozenset({"meeting", "figure", "document"})
REQUEST_KINDS = frozenset({"request"})

USERNAME_MAX = 64


def check_username(name: str) -> str:
    """A username: 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit."""
    text = name.strip()
    ok = 0 < len(text) <= USERNAME_MAX and text[0].isalnum() and all(c.isalnum() or c in "._-" for c in text)
    if not ok or not text.isascii():
        raise InvalidValue(
            "username", name, "1–64 ASCII letters, digits, '.', '_' or '-', starting with one of the first two"
        )
    return text


@dataclass(frozen=True)
class Principal:
    """Who acts: an account with its party, agency, roles and clearance, resolved before any use case runs.

    `agencies` is the account's agency and every unit under it in the catalogue (the parent links), so that an
    investigator of 刑事警察局 reaches the cases of 偵查第三大隊 too.
    """

    username: str
    party: Party
    roles: frozenset[AccountRole]
    clearance: Classification
    agency: str | None = None
    agencies: frozenset[str] = field(default_factory=frozenset)

    @property
    def permissions(self) -> frozenset[Permission]:
        out: set[Permission] = set()
        for role in self.roles:
            out |= PERMISSIONS[role]
        return frozenset(out)

    def may(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def scope(self) -> Scope:
        """The widest scope among the account's roles."""
        scopes = {SCOPES[r] for r in self.roles}
        for s in (Scope.ALL, Scope.AGENCY):
            if s in scopes:
                return s
        return Scope.NONE

    def clears(self, classification: Classification) -> bool:
        return classification.rank <= self.clearance.rank

    @classmethod
    def system(cls, party: Party, name: str = "system") -> Principal:
        """The installer's own principal, for set-up that runs before any account exists (init, demo, import)."""
        return cls(name, party, frozenset(AccountRole), Classification.SECRET)


def read_permission(kind: str) -> Permission:
    if kind in CASE_KINDS:
        return P.CASES_READ
    if kind in REQUEST_KINDS:
        return P.REQUESTS_READ
    return P.MEETINGS_READ


def write_permission(kind: str) -> Permission:
    if kind in CASE_KINDS:
        return P.CASES_WRITE
    if kind in REQUEST_KINDS:
        return P.REQUESTS_FILE
    return P.MEETINGS_WRITE


def require(principal: Principal, permission: Permission, what: str) -> None:
    """Forbidden unless the principal's roles grant `permission`."""
    if not principal.may(permission):
        raise Forbidden(principal.username, what, permission.value)


def scoped(kind: str) -> bool:
    """Whether agency scope applies to this kind (meetings, figures and documents are not any agency's own)."""
    return kind in CASE_KINDS or kind in REQUEST_KINDS


def decide_read(principal: Principal, kind: str, record_id: str, marking: Marking, agencies: Iterable[str]) -> None:
    """May the principal see this record? A record out of its reach is "not found", so its existence never leaks."""
    require(principal, read_permission(kind), f"read {kind} records")
    if not principal.clears(marking.classification):
        raise NotFound(kind, record_id)
    if scoped(kind) and not in_scope(principal, agencies):
        raise NotFound(kind, record_id)


def decide_write(principal: Principal, kind: str, record_id: str, marking: Marking, agencies: Iterable[str]) -> None:
    """May the principal change this record? It must see it first; then its roles must grant the write."""
    decide_read(principal, kind, record_id, marking, agencies)
    require(principal, write_permission(kind), f"change {kind} records")


def decide_create(principal: Principal, kind: str, marking: Marking, agencies: Iterable[str]) -> None:
    """May the principal add this record? Nobody creates what they could not then read."""
    require(principal, write_permission(kind), f"add {kind} records")
    if not principal.clears(marking.classification):
        raise Forbidden(principal.username, f"add a {marking.classification.value} {kind}", "clearance")
    if scoped(kind) and not in_scope(principal, agencies):
        raise Forbidden(principal.username, f"add a {kind} in which their agency takes no part", "agency scope")


def in_scope(principal: Principal, agencies: Iterable[str]) -> bool:
    scope = principal.scope
    if scope is Scope.ALL:
        return True
    if scope is Scope.NONE:
        return False
    return not principal.agencies.isdisjoint(agencies)


def decide_request_step(principal: Principal, request: AssistanceRequest, acting: Acting) -> None:
    """May the principal take a workflow step on `request` in the side and role `acting` names?

    The state machine decides whether the step is one that side and role may take at all; this decides whether the
    account may act as that side and role. A contact point records what the other side reported through the channel
    (until the exchange carries it); otherwise people act for their own side only, the contact point's steps are the
    liaison officer's, and a prosecutor or investigator acts for a request their agency asked for or executes.
    """
    decide_read(principal, "request", request.id, request.marking, request_agencies(request))
    require(principal, P.REQUESTS_ACT, "take steps on requests")
    if acting.party is not principal.party:
        if AccountRole.PEER in principal.roles:
            return
        require(principal, P.REQUESTS_RECORD_PEER, f"record the steps {acting.party.value} reported")
        return
    if AccountRole.LIAISON_OFFICER in principal.roles:
        return
    if acting.role is WorkflowRole.CONTACT_POINT:
        raise Forbidden(principal.username, "act as the contact point", AccountRole.LIAISON_OFFICER.value)
    if acting.role is WorkflowRole.EXECUTING_AGENCY:
        if request.executing_agency not in principal.agencies:
            raise Forbidden(principal.username, "act for the executing agency of this request", "the executing agency")
        return
    if not in_scope(principal, request_agencies(request)):
        raise Forbidden(principal.username, f"act as the {acting.role.value} of this request", "agency scope")


def decide_filing(principal: Principal, request: AssistanceRequest) -> None:
    """May the principal file this request? Filing for the other side records a request it sent (liaison only)."""
    require(principal, P.REQUESTS_FILE, "file requests")
    if request.requesting_party is not principal.party:
        require(principal, P.REQUESTS_RECORD_PEER, f"record a request {request.requesting_party.value} sent")
        return
    decide_create(principal, "request", request.marking, request_agencies(request))


def request_agencies(request: AssistanceRequest) -> frozenset[str]:
    return frozenset(a for a in (request.requesting_agency, request.executing_agency) if a)

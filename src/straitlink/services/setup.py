"""Creating or upgrading a database and keeping its catalogue tables in step with the shipped catalogue."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from straitlink.audit import rebase
from straitlink.catalog import Catalog, load_catalog
from straitlink.domain.access import AccountRole, Permission, Principal
from straitlink.domain.accounts import Account
from straitlink.domain.errors import Forbidden
from straitlink.domain.marking import Classification
from straitlink.domain.parties import Party
from straitlink.services.accounts import count_accounts, create_account
from straitlink.store import migrate, search
from straitlink.store import tables as t
from straitlink.store.tables_access import AccountRow
from straitlink.store.uow import UnitOfWork

REBASE_ACTOR = "straitlink init"
UPGRADE_REASON = "state digest introduced: the records as they stood when the database was upgraded"


def catalog_rows(catalog: Catalog) -> list[Any]:
    """The catalogue as rows, parents before children so foreign keys hold at every insert."""
    agencies = sorted(catalog.agencies, key=lambda a: (a.parent is not None, a.id))
    places = sorted(catalog.places, key=lambda p: (p.parent is not None, p.id))
    rows: list[Any] = []
    for a in _parents_first(agencies):
        rows.append(
            t.AgencyRow(
                id=a.id,
                party=a.party.value,
                kind=a.kind.value,
                parent=a.parent,
                name_zh_hant=a.name_zh_hant,
                name_zh_hans=a.name_zh_hans,
                name_en=a.name_en,
                short_names=list(a.short_names),
            )
        )
    for d in catalog.drugs:
        rows.append(
            t.DrugRow(
                id=d.id,
                category=d.category.value,
                name_zh_hant=d.name_zh_hant,
                name_zh_hans=d.name_zh_hans,
                name_en=d.name_en,
                tw_schedule=d.tw_schedule,
                aliases=list(d.aliases),
                dose_g=d.dose_g,
                dose_source=d.dose_source,
            )
        )
    for p in _parents_first(places):
        rows.append(
            t.PlaceRow(
                id=p.id,
                kind=p.kind.value,
                party=p.party.value if p.party else None,
                parent=p.parent,
                name_zh_hant=p.name_zh_hant,
                name_zh_hans=p.name_zh_hans,
                name_en=p.name_en,
                aliases=list(p.aliases),
            )
        )
    for r in catalog.request_types:
        rows.append(
            t.RequestTypeRow(
                id=r.id.value,
                name_zh_hant=r.name_zh_hant,
                name_zh_hans=r.name_zh_hans,
                name_en=r.name_en,
                articles=list(r.articles),
                aliases=list(r.aliases),
            )
        )
    return rows


def _parents_first(entries: list[Any]) -> list[Any]:
    placed: set[str] = set()
    ordered: list[Any] = []
    pending = list(entries)
    while pending:
        ready = [e for e in pending if e.parent is None or e.parent in placed]
        if not ready:  # the catalogue loader refuses cycles; this only guards the loop
            ready = pending[:1]
        for e in ready:
            ordered.append(e)
            placed.add(e.id)
        pending = [e for e in pending if e.id not in placed]
    return ordered


def sync_catalog(uow: UnitOfWork, catalog: Catalog) -> int:
    """Insert or update every shipped catalogue entry; entries users added stay. Returns the entry count."""
    rows = catalog_rows(catalog)
    for row in rows:
        uow.session.merge(row)
    uow.flush()
    return len(rows)


def init_database(engine: Engine) -> int:
    """Bring the schema to head and the catalogue up to date, in one go; returns the catalogue size."""
    migrate.upgrade(engine)
    with UnitOfWork(engine) as uow:
        count = sync_catalog(uow, load_catalog())
        search.backfill(uow.session)
        uow.commit()
    if rebase.needed(engine):  # a log from before the records' digest: take the records in as they stand
        rebase.rebase(engine, actor=REBASE_ACTOR, reason=UPGRADE_REASON)
    return count


def create_first_admin(engine: Engine, username: str, password: str | None, party: Party) -> str | None:
    """Add the first admin account while none exists; returns its name, or None when an admin already exists."""
    if count_accounts(engine, role=AccountRole.ADMIN):
        return None
    account = Account(
        username=username, party=party, roles=frozenset({AccountRole.ADMIN}), clearance=Classification.SECRET
    )
    with UnitOfWork(engine) as uow:
        create_account(uow, account, password, own_party=party, actor=username)
        uow.commit()
    return username


# One account per role, each at an agency of its kind; the peer stands for the other side.
DEMO_ACCOUNTS: tuple[tuple[str, AccountRole, str | None, Classification, str], ...] = (
    ("demo-admin", AccountRole.ADMIN, None, Classification.SECRET, "示範系統管理員"),
    ("demo-liaison", AccountRole.LIAISON_OFFICER, "moj", Classification.SECRET, "示範聯繫窗口（法務部）"),
    (
        "demo-prosecutor",
        AccountRole.PROSECUTOR,
        "kaohsiung-district-prosecutors",
        Classification.CONFIDENTIAL,
        "示範檢察官（高雄地檢署）",
    ),
    ("demo-investigator", AccountRole.INVESTIGATOR, "cib", Classification.CONFIDENTIAL, "示範偵查員（刑事警察局）"),
    ("demo-analyst", AccountRole.ANALYST, "moj", Classification.RESTRICTED, "示範分析員（法務部）"),
    ("demo-viewer", AccountRole.VIEWER, "moj", Classification.UNCLASSIFIED, "示範檢視者"),
    ("demo-peer", AccountRole.PEER, None, Classification.SECRET, "對岸執行個體"),
)


def demo_accounts(engine: Engine, password: str, *, party: Party, principal: Principal) -> list[str]:
    """Add the demo accounts that do not exist yet, all with `password`; returns the names added."""
    if not principal.may(Permission.ACCOUNTS_MANAGE):
        raise Forbidden(principal.username, "add the demo accounts", Permission.ACCOUNTS_MANAGE.value)
    made = []
    with UnitOfWork(engine) as uow:
        for name, role, agency, clearance, display in DEMO_ACCOUNTS:
            if uow.session.get(AccountRow, name) is not None:
                continue
            own = party.other if role is AccountRole.PEER else party
            agency_id = agency if own is party else None
            account = Account(name, own, frozenset({role}), agency_id, clearance, display)
            create_account(uow, account, password, own_party=party, actor=principal.username)
            made.append(name)
        uow.commit()
    return made

"""Helpers of the web tests: an app on a test database, accounts, and clients logged in through the login form."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from straitlink.config import Settings
from straitlink.demo.seed import build_seed
from straitlink.domain.access import AccountRole, Principal
from straitlink.domain.accounts import Account
from straitlink.domain.marking import Classification
from straitlink.domain.parties import Party
from straitlink.services import accounts
from straitlink.services.accounts import create_account
from straitlink.store import mapping
from straitlink.store.uow import UnitOfWork
from straitlink.web.app import create_app
from straitlink.web.throttle import LoginThrottle

PASSWORD = "correct horse battery staple"
ADMIN = Principal.system(Party.TW, "test-admin")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HX_CSRF = re.compile(r'"X-CSRF-Token": "([^"]+)"')


@dataclass
class Accounts:
    """Accounts of the accounts core, added and disabled the way an administrator does."""

    engine: Engine

    def add(
        self,
        username: str,
        *,
        roles: tuple[str, ...] = ("liaison_officer",),
        agency: str | None = "moj",
        clearance: str = "secret",
    ) -> None:
        """An account of this instance's side (TW) with the password PASSWORD."""
        roles_ = frozenset(AccountRole(r) for r in roles)
        account = Account(username, Party.TW, roles_, agency=agency, clearance=Classification(clearance))
        with UnitOfWork(self.engine) as uow:
            create_account(uow, account, PASSWORD, own_party=Party.TW, actor="test-setup")
            uow.commit()

    def disable(self, username: str) -> None:
        accounts.set_active(self.engine, username, False, principal=ADMIN)


@dataclass
class WebApp:
    engine: Engine
    data_dir: Path
    throttle: LoginThrottle = field(default_factory=LoginThrottle)

    def __post_init__(self) -> None:
        self.accounts = Accounts(self.engine)
        url = self.engine.url.render_as_string(hide_password=False)
        settings = Settings(self.data_dir, url, Party.TW)
        self.app = create_app(
            self.engine,
            settings=settings,
            throttle=self.throttle,
        )

    def anonymous(self) -> TestClient:
        return TestClient(self.app, follow_redirects=False)

    def login(self, username: str, *, lang: str | None = None) -> TestClient:
        """A client logged in as `username` through the login form; its `csrf` attribute holds the session's token."""
        client = self.anonymous()
        form = client.get("/login" + (f"?lang={lang}" if lang else ""))
        token = CSRF.search(form.text)
        assert token is not None
        done = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)})
        assert done.status_code == 303, done.text
        page = client.get("/requests/new")  # every page of a session carries its CSRF token
        found = HX_CSRF.search(page.text)
        assert found is not None, page.text[:500]
        client.headers["X-CSRF-Token"] = found.group(1)
        return client


def load_seed(engine: Engine) -> None:
    """The seed bulletin's world (笙宏號, the 600 blocks of heroin, …) without the synthetic history."""
    world = build_seed()
    batches = [
        (mapping.DOCUMENTS, [world.document]),
        (mapping.CASES, world.cases),
        (mapping.OPERATIONS, world.operations),
        (mapping.PERSONS, world.persons),
        (mapping.SEIZURES, world.seizures),
        (mapping.INTEL, world.intel),
        (mapping.OUTCOMES, world.outcomes),
        (mapping.MEETINGS, world.meetings),
    ]
    with UnitOfWork(engine) as uow:
        for mapper, records in batches:
            for record in records:
                uow.repo(mapper).add(record)
            uow.flush()
        uow.commit()

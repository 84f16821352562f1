"""Helpers of the web tests: an app on a test database, accounts, and clients logged in through the login form."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from straitlink.config import Settings
from straitlink.demo.seed import build_seed
from straitlink.domain.parties import Party
from straitlink.store import mapping
from straitlink.store.uow import UnitOfWork
from straitlink.web.app import create_app
from straitlink.web.principal import NotAuthenticated, Principal
from straitlink.web.throttle import LoginThrottle

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
HX_CSRF = re.compile(r'"X-CSRF-Token": "([^"]+)"')


@dataclass
class Accounts:
    """The accounts the app authenticates against (a stand-in until the accounts core is on main)."""

    people: dict[str, Principal] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)

    def add(self, username: str, party: Party = Party.TW, roles: tuple[str, ...] = ("liaison_officer",)) -> None:
        self.people[username] = Principal(username, party, frozenset(roles))

    def authenticate(self, username: str, password: str) -> Principal:
        if username in self.people and username not in self.disabled and password == PASSWORD:
            return self.people[username]
        raise NotAuthenticated(username, "and this password do not match an active account")

    def load(self, username: str) -> Principal:
        if username in self.people and username not in self.disabled:
            return self.people[username]
        raise NotAuthenticated(username, "is disabled")


@dataclass
class WebApp:
    engine: Engine
    data_dir: Path
    accounts: Accounts = field(default_factory=Accounts)
    throttle: LoginThrottle = field(default_factory=LoginThrottle)

    def __post_init__(self) -> None:
        url = self.engine.url.render_as_string(hide_password=False)
        settings = Settings(self.data_dir, url, Party.TW)
        self.app = create_app(
            self.engine,
            settings=settings,
            authenticate=self.accounts.authenticate,
            load_principal=self.accounts.load,
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

"""What the web app's routes share: the office (engine and desk), sessions, tokens, throttle and the accounts."""

from __future__ import annotations

from dataclasses import dataclass

from straitlink.web.acting import Office
from straitlink.web.principal import Authenticate, LoadPrincipal
from straitlink.web.sessions import SessionStore, TokenStore
from straitlink.web.throttle import LoginThrottle


@dataclass
class WebState:
    office: Office
    sessions: SessionStore
    tokens: TokenStore
    throttle: LoginThrottle
    authenticate: Authenticate
    load_principal: LoadPrincipal

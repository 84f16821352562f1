"""The peer instance: its inbox URL, the local account its messages act as, and its public keys with rotation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Engine, select, update

from straitlink.domain.errors import InvalidValue, NotFound
from straitlink.domain.parties import Party
from straitlink.exchange.envelope import KeyLookup, now_iso
from straitlink.exchange.keys import key_id, parse_public, public_text
from straitlink.store.tables_access import AccountRoleRow, AccountRow
from straitlink.store.tables_exchange import PeerKeyRow, PeerRow
from straitlink.store.uow import UnitOfWork

DEFAULT_OVERLAP = timedelta(days=7)


@dataclass(frozen=True)
class Peer:
    party: str
    url: str
    account: str
    keys: tuple[tuple[str, str | None], ...]  # (key id, retires at)

    def to_json(self) -> dict[str, object]:
        return {
            "party": self.party,
            "url": self.url,
            "account": self.account,
            "keys": [{"key_id": k, "retires_at": r} for k, r in self.keys],
        }


def add_peer(
    engine: Engine,
    *,
    party: str,
    url: str,
    key_text: str | bytes,
    key_name: str = "(key)",
    account: str | None = None,
    overlap: timedelta = DEFAULT_OVERLAP,
    me: str,
) -> Peer:
    """Register the peer, or give it a new key: its earlier keys stay accepted for `overlap`, then retire."""
    try:
        other = Party(party.upper())
    except ValueError:
        raise InvalidValue("party", party, "TW or CN") from None
    if other.value == me:
        raise InvalidValue("party", party, f"is this instance's own party ({me})")
    if not _is_address(url):
        raise InvalidValue("url", url, "an http:// or https:// address of the peer instance")
    public = parse_public(key_text, shown=key_name)
    kid, now = key_id(public), now_iso()
    with UnitOfWork(engine) as uow:
        s = uow.session
        row = s.get(PeerRow, other.value)
        acting = account or (row.account if row is not None else f"peer-{other.value}")
        _check_account(uow, acting)
        if row is None:
            s.add(PeerRow(party=other.value, url=url.rstrip("/"), account=acting, added_at=now))
        else:
            row.url = url.rstrip("/")
            row.account = acting
        s.flush()
        if s.get(PeerKeyRow, kid) is None:
            retire = (datetime.now(UTC) + overlap).isoformat(timespec="microseconds")
            s.execute(
                update(PeerKeyRow)
                .where(PeerKeyRow.party == other.value, PeerKeyRow.retires_at.is_(None))
                .values(retires_at=retire)
            )
            s.add(PeerKeyRow(key_id=kid, party=other.value, public_key=public_text(public), added_at=now))
        uow.commit()
    return get_peer(engine, other.value)


def _check_account(uow: UnitOfWork, username: str) -> None:
    """The peer's messages act as this account: it must exist here and hold the peer role, or none would apply."""
    if uow.session.get(AccountRow, username) is None:
        hint = (
            f"add it first: `straitlink user add {username} --role peer --clearance secret`, or name one with --account"
        )
        raise InvalidValue("account", username, f"is not an account here; {hint}")
    roles = uow.session.scalars(select(AccountRoleRow.role).where(AccountRoleRow.username == username))
    if "peer" not in set(roles):
        raise InvalidValue("account", username, "does not hold the peer role its messages act in")


def get_peer(engine: Engine, party: str) -> Peer:
    """The registered peer of that party; NotFound when `exchange peer add` has not named it."""
    with UnitOfWork(engine) as uow:
        row = uow.session.get(PeerRow, party)
        if row is None:
            hint = f"add it with `straitlink exchange peer add --party {party} --url URL --key FILE`"
            raise NotFound("exchange peer", party, field="party", hint=hint)
        keys = uow.session.execute(
            select(PeerKeyRow.key_id, PeerKeyRow.retires_at)
            .where(PeerKeyRow.party == party)
            .order_by(PeerKeyRow.added_at)
        ).all()
        return Peer(row.party, row.url, row.account, tuple((k, r) for k, r in keys))


def list_peers(engine: Engine) -> list[Peer]:
    with UnitOfWork(engine) as uow:
        parties = list(uow.session.scalars(select(PeerRow.party).order_by(PeerRow.party)))
    return [get_peer(engine, p) for p in parties]


def the_peer(engine: Engine, me: str) -> Peer:
    """The one other side (there is no hub: an instance has exactly one peer)."""
    return get_peer(engine, Party(me).other.value)


def key_lookup(
    engine: Engine, *, extra: dict[str, Ed25519PublicKey] | None = None, me: str = "", retired: bool = False
) -> KeyLookup:
    """A lookup of the peers' keys accepted now (with `retired`, every key they ever had: old evidence verifies),
    and this instance's own keys, to verify its own evidence."""
    with UnitOfWork(engine) as uow:
        rows = uow.session.execute(
            select(PeerKeyRow.party, PeerKeyRow.key_id, PeerKeyRow.public_key, PeerKeyRow.retires_at)
        ).all()
    now = now_iso()
    known = {(p, k): parse_public(text) for p, k, text, retires in rows if retired or retires is None or retires > now}
    for kid, public in (extra or {}).items():
        known[(me, kid)] = public

    def lookup(party: str, kid: str) -> Ed25519PublicKey | None:
        return known.get((party, kid))

    return lookup


def _is_address(url: str) -> bool:
    """An http(s) URL with a host (and a port, if any, that is a number): what the sender can POST to."""
    try:
        address = urlsplit(url)
        address.port  # noqa: B018 - raises ValueError for a port that is not a number or out of range
    except ValueError:
        return False
    return address.scheme in ("http", "https") and bool(address.hostname) and not any(c.isspace() for c in url)

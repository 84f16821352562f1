"""Load, validate and query the reference catalogue: agencies, drugs, places and request types."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Generic, Literal, NoReturn, TypeVar

import opencc
import yaml

from straitlink.domain.errors import InvalidValue, StraitLinkError, UnknownReference
from straitlink.domain.parties import Agency, AgencyKind, Party
from straitlink.domain.reference import Drug, DrugCategory, Place, PlaceKind, RequestType, RequestTypeInfo

CatalogKind = Literal["agency", "drug", "place", "request_type"]
KINDS: tuple[CatalogKind, ...] = ("agency", "drug", "place", "request_type")
FILES: Mapping[CatalogKind, str] = {
    "agency": "agencies.yaml",
    "drug": "drugs.yaml",
    "place": "places.yaml",
    "request_type": "request_types.yaml",
}
_NAMES = "name_zh_hant name_zh_hans name_en"
_FIELDS: Mapping[CatalogKind, tuple[str, ...]] = {
    "agency": tuple(f"id party kind parent {_NAMES} short_names".split()),
    "drug": tuple(f"id category {_NAMES} tw_schedule aliases dose_g dose_source".split()),
    "place": tuple(f"id kind party parent {_NAMES} aliases".split()),
    "request_type": tuple(f"id {_NAMES} articles aliases".split()),
}
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# Zero-width characters survive NFKC and are not str.isspace(), but turn up in text copied from PDFs.
_INVISIBLE = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")

Entry = Agency | Drug | Place | RequestTypeInfo
E = TypeVar("E", bound=StrEnum)
T = TypeVar("T", bound=Entry)


class CatalogError(StraitLinkError):
    """The shipped (or given) catalogue data is malformed; names the file, the entry and the field."""

    code = "catalog_invalid"
    http_status = 500

    def __init__(self, file: str, entry: str | None, field: str | None, reason: str) -> None:
        where = file
        if entry is not None:
            where += f", entry {entry!r}"
        if field is not None:
            where += f", field {field!r}"
        super().__init__(f"{where}: {reason}", field=field, value=entry)
        self.file = file
        self.entry = entry


@functools.cache
def _t2s() -> Any:
    return opencc.OpenCC("t2s")


def normalize_name(text: str) -> str:
    """Fold a name as the indexes do: NFKC, Simplified script, 台 for 臺, no spaces, ASCII lower-case."""
    folded = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    folded = "".join(ch for ch in folded if not ch.isspace())
    folded = str(_t2s().convert(folded)).replace("臺", "台")
    return folded.translate(_ASCII_LOWER)


class _Reader:
    """Typed access to one raw YAML entry; every failure names the file, the entry and the field."""

    def __init__(self, file: str, kind: CatalogKind, position: int, raw: Any) -> None:
        self.file = file
        self.entry = f"#{position}"
        if not isinstance(raw, dict):
            self.fail(None, f"entry must be a mapping, not {type(raw).__name__}")
        self.raw: dict[str, Any] = raw
        raw_id = raw.get("id")
        if isinstance(raw_id, str) and raw_id:
            self.entry = raw_id
        expected = _FIELDS[kind]
        for name in expected:
            if name not in raw:
                self.fail(name, "required field is missing")
        for name in raw:
            if name not in expected:
                self.fail(str(name), f"unknown field (expected: {', '.join(expected)})")

    def fail(self, field: str | None, reason: str) -> NoReturn:
        raise CatalogError(self.file, self.entry, field, reason)

    def text(self, field: str) -> str:
        value = self.raw[field]
        if not isinstance(value, str) or not value.strip():
            self.fail(field, f"must be a non-empty string, not {value!r}")
        return value

    def opt_text(self, field: str) -> str | None:
        return None if self.raw[field] is None else self.text(field)

    def slug(self) -> str:
        value = self.text("id")
        if not _ID.fullmatch(value):
            self.fail("id", f"{value!r} must be lowercase ASCII words joined by hyphens")
        return value

    def texts(self, field: str, *, non_empty: bool = False) -> tuple[str, ...]:
        value = self.raw[field]
        if not isinstance(value, list) or any(not isinstance(v, str) or not v.strip() for v in value):
            self.fail(field, f"must be a list of non-empty strings, not {value!r}")
        if non_empty and not value:
            self.fail(field, "must list at least one item")
        return tuple(value)

    def enum(self, field: str, cls: type[E]) -> E:
        value = self.raw[field]
        try:
            return cls(value)
        except ValueError:
            self.fail(field, f"{value!r} is not one of: {', '.join(m.value for m in cls)}")

    def opt_enum(self, field: str, cls: type[E]) -> E | None:
        return None if self.raw[field] is None else self.enum(field, cls)

    def schedule(self, field: str) -> int | None:
        value = self.raw[field]
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
            self.fail(field, f"must be 1, 2, 3, 4 or null, not {value!r}")
        return value

    def dose(self, field: str) -> Decimal | None:
        value = self.raw[field]
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(field, f"must be a quoted decimal string or null, not {value!r}")
        try:
            dose = Decimal(value)
        except InvalidOperation:
            self.fail(field, f"{value!r} is not a decimal number")
        if not dose.is_finite() or dose <= 0:
            self.fail(field, f"{value!r} must be a positive number of grams")
        return dose


def _agency(r: _Reader) -> Agency:
    return Agency(
        id=r.slug(),
        party=r.enum("party", Party),
        kind=r.enum("kind", AgencyKind),
        parent=r.opt_text("parent"),
        name_zh_hant=r.text("name_zh_hant"),
        name_zh_hans=r.text("name_zh_hans"),
        name_en=r.text("name_en"),
        short_names=r.texts("short_names"),
    )


def _drug(r: _Reader) -> Drug:
    category = r.enum("category", DrugCategory)
    schedule = r.schedule("tw_schedule")
    if category is DrugCategory.PRECURSOR and schedule is not None:
        r.fail("tw_schedule", "a precursor has no drug schedule; use null")
    dose, source = r.dose("dose_g"), r.opt_text("dose_source")
    if dose is not None and source is None:
        r.fail("dose_source", "a dose_g needs its basis stated")
    return Drug(
        id=r.slug(),
        category=category,
        name_zh_hant=r.text("name_zh_hant"),
        name_zh_hans=r.text("name_zh_hans"),
        name_en=r.text("name_en"),
        tw_schedule=schedule,
        aliases=r.texts("aliases"),
        dose_g=dose,
        dose_source=source,
    )


def _place(r: _Reader) -> Place:
    return Place(
        id=r.slug(),
        kind=r.enum("kind", PlaceKind),
        name_zh_hant=r.text("name_zh_hant"),
        name_zh_hans=r.text("name_zh_hans"),
        name_en=r.text("name_en"),
        party=r.opt_enum("party", Party),
        parent=r.opt_text("parent"),
        aliases=r.texts("aliases"),
    )


def _request_type(r: _Reader) -> RequestTypeInfo:
    return RequestTypeInfo(
        id=r.enum("id", RequestType),
        name_zh_hant=r.text("name_zh_hant"),
        name_zh_hans=r.text("name_zh_hans"),
        name_en=r.text("name_en"),
        articles=r.texts("articles", non_empty=True),
        aliases=r.texts("aliases"),
    )


def _name_fields(entry: Entry) -> Iterator[tuple[str, str]]:
    yield "name_zh_hant", entry.name_zh_hant
    yield "name_zh_hans", entry.name_zh_hans
    yield "name_en", entry.name_en
    extra = entry.short_names if isinstance(entry, Agency) else entry.aliases
    field = "short_names" if isinstance(entry, Agency) else "aliases"
    for name in extra:
        yield field, name


class _Index(Generic[T]):
    """Entries of one kind by id and by normalised name, checked for duplicates, clashes and bad parents."""

    def __init__(self, kind: CatalogKind, entries: tuple[T, ...], file: str) -> None:
        self.kind = kind
        self.by_id: dict[str, T] = {}
        self.by_name: dict[str, str] = {}
        for entry in entries:
            key = str(entry.id)
            if key in self.by_id:
                raise CatalogError(file, key, "id", "duplicate id")
            self.by_id[key] = entry
        for entry in entries:
            key = str(entry.id)
            for field, name in _name_fields(entry):
                norm = normalize_name(name)
                if not norm:
                    raise CatalogError(file, key, field, f"{name!r} is empty once normalised")
                owner = self.by_name.setdefault(norm, key)
                if owner != key:
                    raise CatalogError(file, key, field, f"{name!r} is already a name of {owner!r}")
        for key, owner in self.by_name.items():
            if key in self.by_id and key != owner:
                raise CatalogError(file, owner, None, f"a name of {owner!r} equals the id {key!r}")
        for entry in entries:
            self._check_parent(entry, file)

    def _check_parent(self, entry: T, file: str) -> None:
        if not isinstance(entry, Agency | Place) or entry.parent is None:
            return
        parent = self.by_id.get(entry.parent)
        if parent is None:
            raise CatalogError(file, entry.id, "parent", f"unknown parent {entry.parent!r}")
        assert isinstance(parent, Agency | Place)
        if isinstance(entry, Agency) and parent.party != entry.party:
            raise CatalogError(file, entry.id, "parent", f"parent {parent.id!r} belongs to the other party")
        seen = {entry.id}
        while parent.parent is not None:
            if parent.id in seen:
                raise CatalogError(file, entry.id, "parent", "parents form a cycle")
            seen.add(parent.id)
            up = self.by_id.get(parent.parent)
            if not isinstance(up, Agency | Place):
                return  # an unknown grandparent is reported when its own child is checked
            parent = up

    def get(self, key: object, field: str) -> T:
        found = self.by_id.get(str(key)) if isinstance(key, str) else None
        if found is None:
            raise UnknownReference(field, key, self.kind.replace("_", " "))
        return found

    def find(self, name: object, field: str) -> T:
        if isinstance(name, str):
            norm = normalize_name(name)
            key = norm if norm in self.by_id else self.by_name.get(norm)
            if key is not None:
                return self.by_id[key]
        raise UnknownReference(field, name, self.kind.replace("_", " "))


class Catalog:
    """The reference catalogue, validated on construction; lookups raise UnknownReference."""

    def __init__(
        self,
        agencies: Iterable[Agency],
        drugs: Iterable[Drug],
        places: Iterable[Place],
        request_types: Iterable[RequestTypeInfo],
        *,
        sources: Mapping[CatalogKind, str] = FILES,
    ) -> None:
        self.agencies: tuple[Agency, ...] = tuple(agencies)
        self.drugs: tuple[Drug, ...] = tuple(drugs)
        self.places: tuple[Place, ...] = tuple(places)
        self.request_types: tuple[RequestTypeInfo, ...] = tuple(request_types)
        self._agencies = _Index("agency", self.agencies, sources["agency"])
        self._drugs = _Index("drug", self.drugs, sources["drug"])
        self._places = _Index("place", self.places, sources["place"])
        self._request_types = _Index("request_type", self.request_types, sources["request_type"])
        self._children: dict[str, tuple[Agency, ...]] = {}
        for agency in self.agencies:
            if agency.parent is not None:
                self._children[agency.parent] = (*self._children.get(agency.parent, ()), agency)

    def agency(self, agency_id: str, field: str = "agency") -> Agency:
        """The agency with this id."""
        return self._agencies.get(agency_id, field)

    def drug(self, drug_id: str, field: str = "drug") -> Drug:
        """The drug or precursor with this id."""
        return self._drugs.get(drug_id, field)

    def place(self, place_id: str, field: str = "place") -> Place:
        """The place with this id."""
        return self._places.get(place_id, field)

    def request_type(self, type_id: str, field: str = "request_type") -> RequestTypeInfo:
        """The request type with this id (a RequestType value)."""
        return self._request_types.get(type_id, field)

    def find_agency(self, name: str, *, party: Party | str | None = None, field: str = "agency") -> Agency:
        """The agency known by this id, name or short name in either script; optionally of one party only."""
        wanted = None
        if party is not None:
            try:
                wanted = Party(party)
            except ValueError:
                raise InvalidValue("party", party, "must be TW or CN") from None
        found = self._agencies.find(name, field)
        if wanted is not None and found.party is not wanted:
            raise UnknownReference(field, name, f"{wanted.value} agency")
        return found

    def find_drug(self, name: str, field: str = "drug") -> Drug:
        """The drug or precursor known by this id, name or alias (street names too) in either script."""
        return self._drugs.find(name, field)

    def find_place(self, name: str, field: str = "place") -> Place:
        """The place known by this id, name or alias in either script."""
        return self._places.find(name, field)

    def find_request_type(self, name: str, field: str = "request_type") -> RequestTypeInfo:
        """The request type known by this id, name or alias in either script."""
        return self._request_types.find(name, field)

    def names_index(self, kind: CatalogKind) -> dict[str, str]:
        """Normalised name → id for one kind (ids excluded); fold text with normalize_name to match."""
        indexes: dict[str, _Index[Any]] = {
            "agency": self._agencies,
            "drug": self._drugs,
            "place": self._places,
            "request_type": self._request_types,
        }
        if kind not in indexes:
            raise InvalidValue("kind", kind, f"must be one of: {', '.join(KINDS)}")
        return dict(indexes[kind].by_name)

    def children(self, agency_id: str) -> tuple[Agency, ...]:
        """The agencies directly under this one, in file order."""
        self.agency(agency_id)
        return self._children.get(agency_id, ())


def _read(parse: Callable[[_Reader], T], kind: CatalogKind, source: Traversable, label: str) -> list[T]:
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(label, None, None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise CatalogError(label, None, None, f"not UTF-8: {exc}") from None
    try:
        raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise CatalogError(label, None, None, f"not valid YAML: {exc}") from None
    if not isinstance(raw, list):
        raise CatalogError(label, None, None, "the file must hold a list of entries")
    return [parse(_Reader(label, kind, i, item)) for i, item in enumerate(raw, start=1)]


@functools.cache
def load_catalog(data_dir: str | Path | None = None) -> Catalog:
    """Load and validate the catalogue: the shipped one, or the one in `data_dir`; cached per argument."""
    base: Traversable
    if data_dir is None:
        base = resources.files("straitlink.catalog") / "data"
        labels = {kind: f"straitlink/catalog/data/{name}" for kind, name in FILES.items()}
    else:
        base = Path(data_dir)
        labels = {kind: str(base / name) for kind, name in FILES.items()}
    return Catalog(
        _read(_agency, "agency", base / FILES["agency"], labels["agency"]),
        _read(_drug, "drug", base / FILES["drug"], labels["drug"]),
        _read(_place, "place", base / FILES["place"], labels["place"]),
        _read(_request_type, "request_type", base / FILES["request_type"], labels["request_type"]),
        sources=labels,
    )

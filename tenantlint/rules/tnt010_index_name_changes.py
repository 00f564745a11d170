"""TNT010 index-name-changes: the naming convention of a tenant model's `MetaData` renames its
auto-named indexes and constraints once the table has the schema."""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.context import Context, SourceFile
from tenantlint.facts.types import MetaDataCall, ModuleFacts
from tenantlint.facts.vocabulary import METADATA_WORDS, MODEL_WORDS
from tenantlint.findings import Edit, EditKind, Finding
from tenantlint.models import ClassRef, Role
from tenantlint.naming import DEFAULT_CONVENTION, Named, kept_convention, renames
from tenantlint.rules import FixAvailability, Invalid, Rule, Valid

_SHOWN = 3  # renames listed in a message


def _metadata(module: ModuleFacts, owner: str) -> MetaDataCall | None:
    name = module.metadata_aliases.get(owner, owner)
    return next((m for m in module.metadata if m.owner == name), None)


def _owner(context: Context, ref: ClassRef) -> tuple[str, str, MetaDataCall | None] | None:
    """(module, owner, its MetaData call) of the metadata a model's table goes into; the call is
    None for a declarative base without one (SQLAlchemy's default convention)."""
    project = context.project
    for cls in project.mro(ref):
        if not isinstance(cls, ClassRef):
            continue
        call = _metadata(cls.module, cls.info.path)
        if call is not None or project.role(cls) is Role.BASE:
            if call is None and cls.info.path in cls.module.metadata_aliases:
                return None  # `metadata = md` of another module: not followed
            return cls.module.module, cls.info.path, call
        for dotted in cls.info.bases:  # `Base = declarative_base(metadata=MetaData(...))`
            target = project.lookup(project.qualify(cls.module, dotted))
            if isinstance(target, tuple) and (call := _metadata(target[0], target[1])) is not None:
                return target[0].module, target[1], call
    return None


def _by_owner(context: Context) -> dict[tuple[str, str], tuple[MetaDataCall | None, list[Named]]]:
    """The auto-named indexes and constraints of every tenant model, by the metadata they go into."""
    def compute():
        found: dict = {}
        for file in context.files:
            if file.migration:
                continue
            by_class: dict[str, list] = {}
            for named in file.facts.auto_named:
                by_class.setdefault(named.class_path, []).append(named)
            for model in context.tenant_models(file):
                if model.ref.info.path not in by_class or not model.table.tablename:
                    continue  # nothing auto-named: no owner to look up
                owner = _owner(context, model.ref)
                if owner is None:
                    continue
                items = [Named(a.kind, model.table.tablename, a.columns, a.referred_table)
                         for a in by_class[model.ref.info.path]]
                found.setdefault(owner[:2], (owner[2], []))[1].extend(items)
        return [found]

    return context._memo("tnt010", context.files[0], compute)[0] if context.files else {}


def check(context: Context, file: SourceFile) -> Iterator[Finding]:
    pos = context.positions(file)
    for (module, owner), (call, items) in _by_owner(context).items():
        if module != file.facts.module or (call is not None and not call.known):
            continue
        convention = dict(call.convention) if call is not None and call.convention is not None else DEFAULT_CONVENTION
        changed = renames(convention, items, context.placeholder)
        if not changed:
            continue
        shown = ", ".join(f"`{r.old}` -> `{r.new}`" for r in changed[:_SHOWN])
        more = f" and {len(changed) - _SHOWN} more" if len(changed) > _SHOWN else ""
        message = (f"The naming convention of `{owner}`'s MetaData renames {len(changed)} index/constraint "
                   f"name(s) once the tables get the `{context.placeholder}` schema: {shown}{more}")
        edit = None
        if call is not None and call.editable and all(r.fixable for r in changed):
            entries = kept_convention(convention, {r.named.kind for r in changed})
            edit = Edit(EditKind.NAMING_CONVENTION, call.span.line, pos.char(call.span.line, call.span.col),
                        new=repr(entries), title="Keep the old names in the MetaData's `naming_convention`")
        if call is not None:
            where = pos.span(call.span)
        else:
            info = next(c for c in file.facts.classes if c.path == owner)
            where = pos.class_name(info.line, info.col, info.name)
        yield context.finding(file, RULE, message, where, owner, edit)


def _example(metadata: str, models: str) -> str:
    return ('from sqlalchemy import Column, ForeignKey, Index, Integer, MetaData, String, UniqueConstraint\n'
            'from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n'
            f'    {metadata}\n\n\n' + models.strip("\n") + "\n")


_PRODUCT = '''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    title = Column(String, index=True)
'''
_PAIR = '''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = (Index(None, "a", "b"), {"schema": "tenant"})
    id = Column(Integer, primary_key=True)
    a = Column(Integer)
    b = Column(Integer)
'''
# a unique constraint and an unnamed foreign key under label tokens
_KEYS = ('metadata = MetaData(naming_convention={"uq": "uq_%(column_0_label)s", '
         '"fk": "fk_%(column_0_label)s_%(referred_table_name)s"})')
_PARENT = '    parent_id = Column(ForeignKey("tenant.products.id"))\n'
_DOCS = ('metadata = MetaData(naming_convention={"ix": "ix_%(column_0_label)s", '
         '"uq": "uq_%(table_name)s_%(column_0_name)s"})')

RULE = Rule(
    code="TNT010",
    name="index-name-changes",
    summary="the base's naming convention (default `ix_%(column_0_label)s`) renames auto-named indexes and "
    "constraints once the schema is added",
    what="Reports, once per `MetaData`, the auto-named indexes and constraints of tenant models (`index=True`, "
    "`unique=True`, the primary key, unnamed `ForeignKey`, `Index(None, ...)`, `UniqueConstraint(...)`) whose name "
    "comes from a convention with a `*_label` token, listing old -> new names.",
    why="`%(column_0_label)s` is `<schema>_<table>_<column>` once the table has a schema: `ix_products_title` "
    "becomes `ix_tenant_products_title`. Existing tenants keep the old names, tenants created by `create_all` get "
    "the new ones, Alembic autogenerate proposes dropping and recreating every such index, and code naming an "
    "index breaks.",
    example='class Base(DeclarativeBase):\n    pass  # MetaData() with the default convention "ix_%(column_0_label)s"',
    use_instead='class Base(DeclarativeBase):\n'
    '    metadata = MetaData(naming_convention={"ix": "ix_%(table_name)s_%(column_0_name)s"})',
    fix_safety="Safe where the MetaData(...) call is in the source with no convention or a dict literal one: the "
    "entries with a label token get `%(table_name)s_%(column_0_name)s` in its place, which renders the old names "
    "exactly (merged into the existing dict, other entries kept). Not offered for a `column_0N_label` token over "
    "several columns (no token reproduces it: name those indexes explicitly) or a base without a MetaData call.",
    fix_summary="safe: a naming convention on the base's `MetaData`",
    fix_availability=FixAvailability.SOMETIMES,
    check=check,
    words=MODEL_WORDS + METADATA_WORDS,
    valid=(
        Valid(_example('metadata = MetaData(naming_convention={"ix": "ix_%(table_name)s_%(column_0_name)s"})',
                       _PRODUCT)),
        Valid(_example('pass', _PRODUCT.replace("index=True", "index=False"))),
        Valid(_example('pass', _PRODUCT.replace('title = Column(String, index=True)',
                                                 '__table_args__ = (Index("ix_products_title", "title"), '
                                                 '{"schema": "tenant"})').replace(
            '    __table_args__ = {"schema": "tenant"}\n', '', 1))),
    ),
    invalid=(
        Invalid(_example('metadata = MetaData()', _PRODUCT),
                _example('metadata = MetaData(naming_convention={"ix": "ix_%(table_name)s_%(column_0_name)s"})',
                         _PRODUCT)),
        Invalid(_example(_DOCS, _PRODUCT.replace("index=True", "index=True, unique=True")),
                _example(_DOCS.replace("ix_%(column_0_label)s", "ix_%(table_name)s_%(column_0_name)s"),
                         _PRODUCT.replace("index=True", "index=True, unique=True"))),
        Invalid(_example('metadata = MetaData(naming_convention={"ix": "ix_%(column_0_label)s", '
                         '"pk": "pk_%(column_0_label)s"})', _PRODUCT),
                _example('metadata = MetaData(naming_convention={"ix": "ix_%(table_name)s_%(column_0_name)s", '
                         '"pk": "pk_%(table_name)s_%(column_0_name)s"})', _PRODUCT)),
        Invalid(_example('pass', _PRODUCT)),
        Invalid(_example(_KEYS, _PRODUCT.replace("index=True", "unique=True") + _PARENT),
                _example(_KEYS.replace('"uq_%(column_0_label)s"', '"uq_%(table_name)s_%(column_0_name)s"').replace(
                    '"fk_%(column_0_label)s', '"fk_%(table_name)s_%(column_0_name)s'),
                    _PRODUCT.replace("index=True", "unique=True") + _PARENT)),
        Invalid(_example('metadata = MetaData(naming_convention={"ix": "ix_%(column_0N_label)s"})', _PAIR)),
    ),
)

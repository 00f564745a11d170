"""Table names SQLAlchemy or Flask-SQLAlchemy generate, and single-table subclasses that name
a table anyway: found statically, then proven by running the fixed code."""

from __future__ import annotations

import textwrap

import sqlalchemy
from sqlalchemy.orm import configure_mappers

from tenantlint.config import Config
from tenantlint.engine import analyze
from tenantlint.fix_plan import FixStatus, plan


def _check_and_fix(tmp_path, source: str):
    path = tmp_path / "app" / "models" / "user" / "models.py"
    path.parent.mkdir(parents=True)
    path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    analysis = analyze([tmp_path], Config(root=tmp_path))
    found = [(f.code, f.model, f.message) for f in analysis.findings]
    fixes = plan(analysis, unsafe_fixes=False)
    assert [f.status for f in fixes] == [FixStatus.CHANGED]
    return found, fixes[0].new.decode()


def _execute(source: str) -> dict:
    """Execute the fixed module, configure its mappers, return {class name: table fullname}."""
    namespace: dict = {"__name__": "fixed_models"}
    exec(compile(source, "models.py", "exec"), namespace)
    configure_mappers()
    return {
        name: value.__table__.fullname
        for name, value in namespace.items()
        if isinstance(value, type) and isinstance(getattr(value, "__table__", None), sqlalchemy.Table)
    }


FLASK = '''
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    type = db.Column(db.String(20))
    __mapper_args__ = {"polymorphic_identity": "user", "polymorphic_on": type}


class Admin(User):
    __tablename__ = "admins"
    __mapper_args__ = {"polymorphic_identity": "admin"}


class BlogPost(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    parent_id = db.Column(db.Integer, db.ForeignKey("blog_post.id"))
'''


def test_flask_subclass_without_primary_key_is_single_table_and_generated_names_are_qualified(tmp_path):
    found, fixed = _check_and_fix(tmp_path, FLASK)
    assert found == [
        ("TNT001", "User", "Model `User` has no tenant schema"),
        ("TNT001", "BlogPost", "Model `BlogPost` has no tenant schema"),
        ("TNT005", "users", "Reference `users.id` names tenant table `users` without the `tenant.` schema"),
        ("TNT005", "blog_post", "Reference `blog_post.id` names tenant table `blog_post` without the `tenant.` schema"),
    ]
    assert 'class Admin(User):\n    __tablename__ = "admins"\n    __mapper_args__' in fixed  # untouched
    assert 'db.ForeignKey("tenant.blog_post.id")' in fixed
    assert _execute(fixed) == {"User": "tenant.users", "Admin": "tenant.users", "BlogPost": "tenant.blog_post"}


DECLARED = '''
from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import DeclarativeBase, declared_attr


def resolve_table_name(name):
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


class Base(DeclarativeBase):
    @declared_attr.directive
    def __tablename__(cls):
        return cls.__name__.lower()


class Owner(Base):
    id = Column(Integer, primary_key=True)


class Pet(Base):
    id = Column(Integer, primary_key=True)
    owner_id = Column(ForeignKey("owner.id"))


class Named:
    @declared_attr.directive
    def __tablename__(cls):
        return resolve_table_name(cls.__name__)


class TagType(Named, Base):
    id = Column(Integer, primary_key=True)


class Tag(Named, Base):
    id = Column(Integer, primary_key=True)
    tag_type_id = Column(ForeignKey("tag_type.id"))
'''


def test_declared_attr_table_names_are_followed_or_guessed(tmp_path):
    found, fixed = _check_and_fix(tmp_path, DECLARED)
    generated = " (its name is generated: confirm with `tenantlint verify`)"
    assert [f for f in found if f[0] == "TNT005"] == [
        ("TNT005", "owner", "Reference `owner.id` names tenant table `owner` without the `tenant.` schema"),
        ("TNT005", "tag_type",
         f"Reference `tag_type.id` names tenant table `tag_type` without the `tenant.` schema{generated}"),
    ]
    assert _execute(fixed) == {"Owner": "tenant.owner", "Pet": "tenant.pet", "TagType": "tenant.tag_type", "Tag": "tenant.tag"}


UNSETTLED = '''
from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, declared_attr


class Base(DeclarativeBase):
    pass


class NamedMixin:
    @declared_attr.directive
    def __table_args__(cls):
        return (CheckConstraint("length(name) > 0", name=f"{cls.__tablename__}_name"),)

    name = Column(String)


class Organization(NamedMixin, Base):
    __tablename__ = "organizations"
    id = Column(Integer, primary_key=True)


class Team(Base):
    __tablename__ = "teams"
    id = Column(Integer, primary_key=True)
    organization_id = Column(ForeignKey("organizations.id"))
'''


def test_a_reference_to_a_table_fix_cannot_move_is_reported_not_rewritten(tmp_path):
    """From pypi/warehouse: Organization's schema is computed (TNT003), so `fix` leaves it where
    it is; qualifying the reference to it would break a foreign key that works."""
    found, fixed = _check_and_fix(tmp_path, UNSETTLED)
    assert found == [
        ("TNT003", "Organization",
         "Model `Organization` inherits a computed `__table_args__` from `NamedMixin`; run `tenantlint verify` to check it"),
        ("TNT001", "Team", "Model `Team` has no tenant schema"),
        ("TNT005", "organizations",
         "Reference `organizations.id` names tenant table `organizations` without the `tenant.` schema "
         "(`organizations` does not get the schema in this run: `fix` cannot give it the schema; "
         "qualify this once its model has it, and confirm with `tenantlint verify`)"),
    ]
    assert 'Column(ForeignKey("organizations.id"))' in fixed
    namespace: dict = {}
    exec(compile(fixed, "models.py", "exec"), namespace)
    team = namespace["Team"].__table__
    assert [fk.column.table.fullname for fk in team.foreign_keys] == ["organizations"]  # still resolves


def test_computed_references_to_tenant_tables_are_reported(project):
    """From mcr_analyzer: ForeignKey(f"{Chip.__tablename__}.id") stops resolving once `chip`
    moves; fix cannot rewrite it, check must not pass it."""
    root = project({
        "app/models/user/m.py": '''
            from sqlalchemy import ForeignKey, Integer
            from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

            class Base(DeclarativeBase):
                pass

            class Chip(Base):
                __tablename__ = "chip"
                __table_args__ = {"schema": "tenant"}
                id: Mapped[int] = mapped_column(primary_key=True)

            class Measurement(Base):
                __tablename__ = "measurement"
                __table_args__ = {"schema": "tenant"}
                id: Mapped[int] = mapped_column(primary_key=True)
                chip_id: Mapped[int] = mapped_column(ForeignKey(f"{Chip.__tablename__}.id"))
                chip2_id: Mapped[int] = mapped_column(ForeignKey("%s.id" % Chip.__tablename__))
                chip3_id: Mapped[int] = mapped_column(ForeignKey(f"chip.id"))
                owner_id: Mapped[int] = mapped_column(ForeignKey(f"{owner_table}.id"))
        ''',
    })
    analysis = analyze([root], Config(root=root))
    computed = " (a computed string: write `tenant.chip.id`, or refer to the column itself)"
    assert [(f.code, f.line, f.message, f.fixable()) for f in analysis.findings] == [
        ("TNT005", 16, f"Reference `chip.id` names tenant table `chip` without the `tenant.` schema{computed}", False),
        ("TNT005", 17, f"Reference `chip.id` names tenant table `chip` without the `tenant.` schema{computed}", False),
        ("TNT005", 18, f"Reference `chip.id` names tenant table `chip` without the `tenant.` schema{computed}", False),
        # `owner_table` is no constant tenantlint can read: never silence (issue 11 item 10)
        ("TNT005", 19, 'Reference `f"{owner_table}.id"` is computed: tenantlint cannot tell which table it names '
                       "(confirm with `tenantlint verify`)", False),
    ]


def test_a_declared_attr_that_returns_the_schema_literally_settles_its_table(tmp_path):
    source = UNSETTLED.replace(
        'return (CheckConstraint("length(name) > 0", name=f"{cls.__tablename__}_name"),)',
        'return (CheckConstraint("length(name) > 0"), {"schema": "tenant"})',
    )
    found, fixed = _check_and_fix(tmp_path, source)
    assert [(code, model) for code, model, _ in found] == [
        ("TNT003", "Organization"), ("TNT001", "Team"), ("TNT005", "organizations"),
    ]
    assert 'Column(ForeignKey("tenant.organizations.id"))' in fixed
    assert _execute(fixed) == {"Organization": "tenant.organizations", "Team": "tenant.teams"}

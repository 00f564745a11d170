"""Which classes are models (SPEC), across files and frameworks, and what each one gets."""

from __future__ import annotations

import pytest

from tenantlint.config import Config
from tenantlint.engine import analyze


def _found(root, **config):
    analysis = analyze([root], Config(root=root, **config))
    assert analysis.errors == []
    return [(f.path.as_posix().split("models/user/")[-1], f.code, f.model, f.fixable()) for f in analysis.findings]


BASE = '''
from sqlalchemy.orm import DeclarativeBase

class Base(DeclarativeBase):
    pass
'''


def test_base_imported_under_another_name_through_a_package(project):
    root = project(
        {
            "app/__init__.py": "",
            "app/models/__init__.py": "from .base import Base\n",
            "app/models/base.py": BASE,
            "app/models/user/__init__.py": "",
            "app/models/user/a.py": '''
                from sqlalchemy import Column, Integer
                from ..base import Base as B

                class A(B):
                    __tablename__ = "a"
                    id = Column(Integer, primary_key=True)
            ''',
            "app/models/user/b.py": '''
                from sqlalchemy import Column, Integer
                from app.models import Base

                class Bee(Base):
                    __tablename__ = "b"
                    id = Column(Integer, primary_key=True)
            ''',
        }
    )
    assert _found(root) == [("a.py", "TNT001", "A", True), ("b.py", "TNT001", "Bee", True)]


def test_plain_classes_dataclasses_and_pydantic_models_are_not_models(project):
    root = project(
        {
            "app/models/base.py": BASE,
            "app/models/user/schemas.py": '''
                from dataclasses import dataclass
                from pydantic import BaseModel

                class ProductIn(BaseModel):
                    name: str

                @dataclass
                class Draft:
                    __tablename__ = "drafts"

                class Helper:
                    __tablename__ = "helpers"

                class UserExtensionMixin(object):  # `object` is no declarative base from elsewhere
                    __tablename__ = "extensions"
            ''',
        }
    )
    assert _found(root) == []


def test_a_class_on_an_unknown_base_and_object_is_still_a_model(project):
    root = project({"app/models/user/m.py": '''
        from sqlalchemy import Column, Integer
        from elsewhere import Base

        class Extension(Base, object):
            __tablename__ = "extensions"
            id = Column(Integer, primary_key=True)
    '''})
    assert _found(root) == [("m.py", "TNT001", "Extension", True)]


def test_declarative_base_with_declared_attr_tablename(project):
    root = project(
        {
            "app/db.py": '''
                from sqlalchemy.orm import declarative_base, declared_attr

                class CustomBase:
                    @declared_attr
                    def __tablename__(cls):
                        return cls.__name__.lower()

                Base = declarative_base(cls=CustomBase)
            ''',
            "app/models/user/invoice.py": '''
                """Invoices."""
                from sqlalchemy import Column, Integer
                from app.db import Base

                class Invoice(Base):
                    """One invoice."""

                    id = Column(Integer, primary_key=True)
            ''',
        }
    )
    assert _found(root) == [("invoice.py", "TNT001", "Invoice", True)]


def test_single_table_and_joined_inheritance(project):
    root = project(
        {
            "app/models/base.py": BASE,
            "app/models/user/people.py": '''
                from sqlalchemy import Column, ForeignKey, Integer, String
                from app.models.base import Base

                class Employee(Base):
                    __tablename__ = "employees"
                    __table_args__ = {"schema": "tenant"}
                    id = Column(Integer, primary_key=True)
                    kind = Column(String)
                    __mapper_args__ = {"polymorphic_on": kind}

                class Manager(Employee):
                    __mapper_args__ = {"polymorphic_identity": "manager"}

                class Clerk(Employee):
                    __table_args__ = {"schema": "tenant"}

                class Engineer(Employee):
                    __tablename__ = "engineers"
                    id = Column(ForeignKey("tenant.employees.id"), primary_key=True)
            ''',
        }
    )
    assert _found(root) == [("people.py", "TNT004", "Clerk", False), ("people.py", "TNT001", "Engineer", True)]


def test_mixin_and_abstract_base_pass_their_table_args_on(project):
    root = project(
        {
            "app/models/base.py": BASE,
            "app/models/user/m.py": '''
                from sqlalchemy import Column, Integer, UniqueConstraint
                from app.models.base import Base

                class TenantMixin:
                    __table_args__ = {"schema": "tenant"}

                class TenantBase(Base):
                    __abstract__ = True
                    __table_args__ = {"schema": "tenant"}

                class ConstraintMixin:
                    __table_args__ = (UniqueConstraint("id"),)

                class A(TenantMixin, Base):
                    __tablename__ = "a"
                    id = Column(Integer, primary_key=True)

                class B(TenantBase):
                    __tablename__ = "b"
                    id = Column(Integer, primary_key=True)

                class C(ConstraintMixin, Base):
                    __tablename__ = "c"
                    id = Column(Integer, primary_key=True)
            ''',
        }
    )
    assert _found(root) == [("m.py", "TNT001", "C", False)]


def test_flask_sqlalchemy_models(project):
    root = project(
        {
            "app/__init__.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
            "app/models/user/shop.py": '''
                from app import db

                class OrderItem(db.Model):
                    id = db.Column(db.Integer, primary_key=True)
                    kind = db.Column(db.String)

                class SpecialItem(OrderItem):
                    extra = db.Column(db.String)

                class Refund(OrderItem):
                    __tablename__ = "refunds"
                    id = db.Column(db.ForeignKey("order_item.id"), primary_key=True)
            ''',
        }
    )
    # Flask-SQLAlchemy names the table of OrderItem `order_item`: the reference to it is one
    assert _found(root) == [
        ("shop.py", "TNT001", "OrderItem", True),
        ("shop.py", "TNT001", "Refund", True),
        ("shop.py", "TNT005", "order_item", True),
    ]


def test_flask_ext_import_of_old_flask_sqlalchemy(project):
    root = project(
        {
            "app/__init__.py": "from flask.ext.sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
            "app/models/user/post.py": '''
                from app import db

                class Post(db.Model):
                    id = db.Column(db.Integer, primary_key=True)
            ''',
        }
    )
    assert _found(root) == [("post.py", "TNT001", "Post", True)]


def test_sqlmodel_table_models_only(project):
    root = project(
        {
            "app/models/user/hero.py": '''
                from sqlmodel import Field, SQLModel

                class HeroBase(SQLModel):
                    name: str

                class Hero(HeroBase, table=True):
                    id: int | None = Field(default=None, primary_key=True)
                    team_id: int | None = Field(default=None, foreign_key="team.id")

                class Team(SQLModel, table=True):
                    id: int | None = Field(default=None, primary_key=True)
            ''',
        }
    )
    assert _found(root) == [
        ("hero.py", "TNT001", "Hero", True),
        ("hero.py", "TNT005", "team", True),
        ("hero.py", "TNT001", "Team", True),
    ]


def test_registry_mapped_and_configured_base_classes(project):
    root = project(
        {
            "app/models/user/x.py": '''
                from sqlalchemy import Column, Integer
                from sqlalchemy.orm import registry
                from vendor.db import VendorBase

                reg = registry()

                @reg.mapped
                class U:
                    __tablename__ = "u"
                    id = Column(Integer, primary_key=True)

                class VendorModel(VendorBase):
                    """The project's own base, on a base class from a library."""

                class V(VendorModel):
                    __tablename__ = "v"
                    id = Column(Integer, primary_key=True)
            ''',
        }
    )
    assert _found(root) == [("x.py", "TNT001", "U", True)]
    assert _found(root, base_classes=("vendor.db.VendorBase",)) == [
        ("x.py", "TNT001", "U", True),
        ("x.py", "TNT001", "V", True),
    ]


def test_table_mapped_classes_and_association_tables(project):
    root = project(
        {
            "app/models/base.py": BASE,
            "app/models/user/t.py": '''
                from sqlalchemy import Column, Integer, Table
                from app.models.base import Base

                class A(Base):
                    __table__ = Table("a", Base.metadata, Column("id", Integer, primary_key=True))

                class B(Base):
                    __table__ = Table("b", Base.metadata, Column("id", Integer, primary_key=True), schema="tenant")
                    __table_args__ = {"schema": "tenant"}
            ''',
        }
    )
    assert _found(root) == [("t.py", "TNT006", "a", True), ("t.py", "TNT004", "B", False)]


def test_models_outside_tenant_paths_are_shared(project):
    root = project(
        {
            "app/models/base.py": BASE,
            "app/models/public/account.py": '''
                from sqlalchemy import Column, Integer
                from app.models.base import Base

                class Account(Base):
                    __tablename__ = "accounts"
                    id = Column(Integer, primary_key=True)

                class Leaked(Base):
                    __tablename__ = "leaked"
                    __table_args__ = {"schema": "tenant"}
                    id = Column(Integer, primary_key=True)
            ''',
        }
    )
    assert [(p.split("/")[-1], c, m, f) for p, c, m, f in _found(root)] == [("account.py", "TNT008", "Leaked", False)]


def test_ambiguous_table_name_is_reported_not_guessed(project):
    root = project(
        {
            "app/models/base.py": BASE,
            "app/models/public/settings.py": '''
                from sqlalchemy import Column, Integer
                from app.models.base import Base

                class GlobalSettings(Base):
                    __tablename__ = "settings"
                    id = Column(Integer, primary_key=True)
            ''',
            "app/models/user/settings.py": '''
                from sqlalchemy import Column, ForeignKey, Integer
                from app.models.base import Base

                class Settings(Base):
                    __tablename__ = "settings"
                    __table_args__ = {"schema": "tenant"}
                    id = Column(Integer, primary_key=True)

                class Option(Base):
                    __tablename__ = "options"
                    __table_args__ = {"schema": "tenant"}
                    id = Column(Integer, primary_key=True)
                    settings_id = Column(ForeignKey("settings.id"))
            ''',
        }
    )
    analysis = analyze([root], Config(root=root))
    assert [(f.code, f.message, f.fixable()) for f in analysis.findings] == [
        ("TNT005", "Reference `settings.id` is ambiguous: `settings` is both a shared and a tenant table", False)
    ]


def test_noqa_suppresses_only_the_named_code(project):
    root = project(
        {
            "app/models/base.py": BASE,
            "app/models/user/n.py": '''
                from sqlalchemy import Column, Integer
                from app.models.base import Base

                class A(Base):  # noqa: TNT001
                    __tablename__ = "a"
                    id = Column(Integer, primary_key=True)

                class B(Base):  # tenantlint: ignore[TNT001]
                    __tablename__ = "b"
                    id = Column(Integer, primary_key=True)

                class C(Base):  # noqa: TNT005
                    __tablename__ = "c"
                    id = Column(Integer, primary_key=True)
            ''',
        }
    )
    assert _found(root) == [("n.py", "TNT001", "C", True)]


@pytest.mark.parametrize("comment", ["# NOQA: TNT001", "# NoQa: tnt001", "# TenantLint: Ignore[TNT001]", "# NOQA"])
def test_noqa_is_read_in_any_case_as_flake8_and_ruff_read_it(project, comment):
    """Also in a file where it is written only in capitals (a lowercase-only fast path missed it)."""
    root = project(
        {
            "app/models/base.py": BASE,
            "app/models/user/n.py": f'''
                from sqlalchemy import Column, Integer
                from app.models.base import Base

                class A(Base):  {comment}
                    __tablename__ = "a"
                    id = Column(Integer, primary_key=True)

                class C(Base):
                    __tablename__ = "c"
                    id = Column(Integer, primary_key=True)
            ''',
        }
    )
    assert _found(root) == [("n.py", "TNT001", "C", True)]


def test_conflicting_and_computed_schemas(project):
    root = project(
        {
            "app/models/base.py": BASE,
            "app/models/user/s.py": '''
                from sqlalchemy import Column, Integer
                from app.models.base import Base

                SCHEMA = "tenant"

                class A(Base):
                    __tablename__ = "a"
                    __table_args__ = {"schema": None}
                    id = Column(Integer, primary_key=True)

                class B(Base):
                    __tablename__ = "b"
                    __table_args__ = {"schema": SCHEMA}
                    id = Column(Integer, primary_key=True)

                class C(Base):
                    __tablename__ = "c"
                    __table_args__ = [{"schema": "tenant"}]
                    id = Column(Integer, primary_key=True)
            ''',
        }
    )
    assert _found(root) == [("s.py", "TNT002", "A", False), ("s.py", "TNT003", "B", False), ("s.py", "TNT004", "C", False)]


def test_star_imports_are_followed(project):
    root = project(
        {
            "app/models/base.py": BASE,
            "app/models/user/__init__.py": "",
            "app/models/user/star.py": '''
                from sqlalchemy import Column, Integer
                from app.models.base import *

                class Starred(Base):
                    __tablename__ = "starred"
                    id = Column(Integer, primary_key=True)
            ''',
        }
    )
    assert _found(root) == [("star.py", "TNT001", "Starred", True)]


def test_model_whose_base_comes_from_outside_the_project(project):
    root = project(
        {
            "app/models/user/ext.py": '''
                from sqlalchemy import Column, Integer
                from corelib.db import Base

                class Mixin:
                    __tablename__ = "not_a_model"

                class Remote(Base):
                    __tablename__ = "remote"
                    id = Column(Integer, primary_key=True)
            ''',
        }
    )
    assert _found(root) == [("ext.py", "TNT001", "Remote", True)]


def test_tables_and_enums_of_other_libraries_are_not_sqlalchemy(project):
    root = project(
        {
            "app/__init__.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
            "app/models/user/report.py": '''
                import enum
                import sqlalchemy as sa
                from rich.table import Table
                from app import db

                Status = enum.Enum("Status", "NEW DONE")
                Kind = enum.Enum(value="Kind", names="A B")
                listing = Table("listing", show_header=True)
                tags = db.Table("tags", db.Column("id", db.Integer, primary_key=True))
                links = sa.Table("links", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))
            ''',
        }
    )
    assert _found(root) == [("report.py", "TNT006", "tags", True), ("report.py", "TNT006", "links", True)]


def test_as_declarative_base_with_declared_attr_tablename(project):
    """The FastAPI project template's base: `@as_declarative()` and a generated table name."""
    root = project(
        {
            "app/db/base_class.py": '''
                from typing import Any

                from sqlalchemy.orm import as_declarative, declared_attr

                @as_declarative()
                class Base:
                    id: Any
                    __name__: str

                    @declared_attr
                    def __tablename__(cls) -> str:
                        return cls.__name__.lower()
            ''',
            "app/models/user/item.py": '''
                from sqlalchemy import Column, ForeignKey, Integer, String
                from app.db.base_class import Base

                class Item(Base):
                    id = Column(Integer, primary_key=True, index=True)
                    title = Column(String, index=True)
            ''',
        }
    )
    # Base's MetaData has the default convention, which names Item's indexes after the schema (TNT010)
    assert [(path.rpartition("/")[2], *rest) for path, *rest in _found(root)] == [
        ("base_class.py", "TNT010", "Base", False), ("item.py", "TNT001", "Item", True)]

"""TNT103 unresolved-foreign-key: reported by `tenantlint verify` on the imported models.

`runtime_check` reads SQLAlchemy's own objects (`tenantlint.verify` imports the models and
places its problems); this module also holds the rule's documentation and the examples
`tests/test_rules.py` runs through `verify` on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator

from tenantlint.rules import RUNTIME_FIX_SAFETY, Invalid, Rule, Valid, example
from tenantlint.verify.results import Problem, Runtime

PUBLIC_PATH = "app/models/public/example.py"


def runtime_check(run: Runtime) -> Iterator[Problem]:
    for info in run.tables:
        table = info.table
        for fk in sorted(table.foreign_keys, key=lambda f: (f.parent.name, f.target_fullname)):
            try:
                fk.column  # noqa: B018 - resolving it is the check
            except Exception as exc:  # noqa: BLE001 - NoReferencedTableError, NoReferencedColumnError, ...
                target = fk.target_fullname.rsplit(".", 2)
                yield Problem(info, f"Foreign key `{table.fullname}.{fk.parent.name}` -> `{fk.target_fullname}` does "
                              f"not resolve ({type(exc).__name__})", about=(target[-2] if len(target) > 1 else "",))


RULE = Rule(
    code="TNT103",
    name="unresolved-foreign-key",
    what="Reports a foreign key whose target table or column SQLAlchemy cannot find in the metadata.",
    why="Typically a plain `ForeignKey(\"products.id\")` after `products` moved to the placeholder schema: it "
    "fails at the first flush or `create_all` (`NoReferencedTableError`).",
    example='product_id = Column(ForeignKey("products.id"))  # products is tenant.products',
    use_instead='product_id = Column(ForeignKey("tenant.products.id"))',
    fix_safety=f"{RUNTIME_FIX_SAFETY}; `tenantlint fix` qualifies literal strings (TNT005). The live probe is skipped "
    "while a foreign key does not resolve.",
    summary="a foreign key's target table or column is not in the metadata",
    fix_summary="never; `tenantlint verify` reports it",
    runtime=True,
    runtime_check=runtime_check,
    blocks_probe="a foreign key does not resolve",
    caused_by=("TNT005", "TNT012"),
    valid=(
        Valid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey("tenant.products.id"))
''')),
        Valid(example('''
class Plan(Base):
    __tablename__ = "plans"
    id = Column(Integer, primary_key=True)


class Subscription(Base):
    __tablename__ = "subscriptions"
    id = Column(Integer, primary_key=True)
    plan_id = Column(ForeignKey("plans.id"))
'''), path=PUBLIC_PATH),
        Valid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    parent_id = Column(ForeignKey("tenant.products.id"))
''')),
    ),
    invalid=(
        Invalid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey("products.id"))  # products is tenant.products
'''),
        messages=(
            "Foreign key `tenant.reviews.product_id` -> `products.id` does not resolve "
            "(NoReferencedTableError)",
        )),
        Invalid(example('''
class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    product_id = Column(ForeignKey("tenant.no_such_table.id"))
'''),
        messages=(
            "Foreign key `tenant.reviews.product_id` -> `tenant.no_such_table.id` does not resolve "
            "(NoReferencedTableError)",
        )),
        Invalid(example('''
class Product(Base):
    __tablename__ = "products"
    __table_args__ = {"schema": "tenant"}
    id = Column(Integer, primary_key=True)
    parent_id = Column(Integer, ForeignKey("tenant.products.no_such_column"))
'''),
        messages=(
            "Foreign key `tenant.products.parent_id` -> `tenant.products.no_such_column` does not resolve "
            "(NoReferencedColumnError)",
        )),
    ),
)

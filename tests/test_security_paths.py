"""Hostile paths in a checked tree (issue 15, items 7, 8, 14, 15): FIFOs, devices, huge files,
symlink loops, file names with control characters, and secrets in `--database-url`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import DATABASE_URL, needs_postgres, run_tenantlint

BASE = "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n"
MODEL = 'from models.base import Base\n\n\nclass Product(Base):\n    __tablename__ = "products"\n'
FIXED = (
    'from models.base import Base\n\n\nclass Product(Base):\n    __tablename__ = "products"\n'
    '    __table_args__ = {"schema": "tenant"}  # Placeholder for schema_translate_map\n'
)
FINDING = "models/user/product.py:4:7: TNT001 Model `Product` has no tenant schema [*]\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with one unfixed tenant model."""
    (tmp_path / "pyproject.toml").write_text("[tool.tenantlint]\n", encoding="utf-8")
    (tmp_path / "models" / "user").mkdir(parents=True)
    (tmp_path / "models" / "base.py").write_text(BASE, encoding="utf-8")
    (tmp_path / "models" / "user" / "product.py").write_text(MODEL, encoding="utf-8")
    return tmp_path


# -- 7. only regular files are read, and at most `max-file-size` bytes -----------------------


def test_a_fifo_in_the_tree_is_tnt000_and_the_run_finishes(project):
    os.mkfifo(project / "models" / "user" / "fifo.py")
    assert run_tenantlint("check", "--no-cache", ".", cwd=project, timeout=60) == (2, (
        "models/user/fifo.py:1:1: TNT000 cannot read file: not a regular file (a FIFO)\n"
        + FINDING + "Found 2 problems (1 fixable with `tenantlint fix`).\n"), "")
    code, out, err = run_tenantlint("fix", ".", cwd=project, timeout=60)
    assert (code, err) == (2, "")
    assert out == ("models/user/fifo.py:1:1: TNT000 cannot read file: not a regular file (a FIFO)\n"
                   "Found 1 problem (0 fixable with `tenantlint fix`).\nFixed 1 problem in 1 file.\n")
    assert (project / "models" / "user" / "product.py").read_text(encoding="utf-8") == FIXED


def test_a_fifo_named_on_the_command_line_is_tnt000(project):
    os.mkfifo(project / "models" / "user" / "fifo.py")
    assert run_tenantlint("check", "models/user/fifo.py", cwd=project, timeout=60) == (2, (
        "models/user/fifo.py:1:1: TNT000 cannot read file: not a regular file (a FIFO)\n"
        "Found 1 problem (0 fixable with `tenantlint fix`).\n"), "")


def test_dev_zero_as_a_path_or_behind_a_model_file_link_is_never_read(project):
    shown = os.path.relpath("/dev/zero", project)
    assert run_tenantlint("check", "--no-cache", "/dev/zero", cwd=project, timeout=60) == (2, (
        f"{shown}:1:1: TNT000 cannot read file: not a regular file (a character device)\n"
        "Found 1 problem (0 fixable with `tenantlint fix`).\n"), "")
    (project / "models" / "user" / "zero.py").symlink_to("/dev/zero")
    assert run_tenantlint("check", "--no-cache", ".", cwd=project, timeout=60) == (2, (
        "models/user/zero.py:1:1: TNT000 cannot read file: not a regular file (a character device)\n" + FINDING
        + "Found 2 problems (1 fixable with `tenantlint fix`).\n"), "")


@pytest.mark.parametrize("command", ["check", "fix"])
def test_a_baseline_that_is_a_device_or_a_fifo_is_refused(project, command):
    shown = os.path.relpath("/dev/zero", project)
    assert run_tenantlint(command, "--baseline", "/dev/zero", ".", cwd=project, timeout=60) == (
        2, "", f"tenantlint: error: cannot read baseline file {shown}: not a regular file (a character device)\n")
    os.mkfifo(project / "baseline.json")
    assert run_tenantlint(command, "--baseline", "baseline.json", "--update-baseline", ".", cwd=project, timeout=60) == (
        2, "", "tenantlint: error: cannot read baseline file baseline.json: not a regular file (a FIFO)\n")
    assert (project / "models" / "user" / "product.py").read_text(encoding="utf-8") == MODEL


def test_a_file_over_max_file_size_is_tnt000_and_the_limit_is_configurable(project):
    (project / "pyproject.toml").write_text("[tool.tenantlint]\nmax-file-size = 100\n", encoding="utf-8")
    big = MODEL.replace("Product", "Big").replace("products", "bigs") + "#" * 99 + "\n"
    (project / "models" / "user" / "big.py").write_text(big, encoding="utf-8")
    size = len(big.encode())
    assert run_tenantlint("check", "--no-cache", ".", cwd=project, timeout=60) == (2, (
        f"models/user/big.py:1:1: TNT000 cannot read file: file too large ({size} bytes, limit 100; "
        "see `max-file-size`)\n" + FINDING + "Found 2 problems (1 fixable with `tenantlint fix`).\n"), "")
    (project / "pyproject.toml").write_text(f"[tool.tenantlint]\nmax-file-size = {size}\n", encoding="utf-8")
    assert run_tenantlint("check", "--no-cache", "-q", ".", cwd=project, timeout=60) == (1, (
        "models/user/big.py:4:7: TNT001 Model `Big` has no tenant schema [*]\n" + FINDING), "")


def test_the_default_limit_is_ten_megabytes(project):
    padding = "#" * 99 + "\n"
    (project / "models" / "user" / "big.py").write_text(padding * 100_001, encoding="utf-8")
    assert run_tenantlint("check", "--no-cache", "models/user/big.py", cwd=project, timeout=60) == (2, (
        "models/user/big.py:1:1: TNT000 cannot read file: file too large (10000100 bytes, limit 10000000; "
        "see `max-file-size`)\nFound 1 problem (0 fixable with `tenantlint fix`).\n"), "")


@pytest.mark.parametrize("value", ["0", "-1", "true", '"10"', "1.5"])
def test_max_file_size_must_be_a_positive_integer(project, value):
    (project / "pyproject.toml").write_text(f"[tool.tenantlint]\nmax-file-size = {value}\n", encoding="utf-8")
    shown = {"true": "True", '"10"': "'10'"}.get(value, value)
    assert run_tenantlint("check", ".", cwd=project, timeout=60) == (2, "", (
        f"tenantlint: error: config key `max-file-size` must be a positive integer (bytes), got {shown} "
        "(in pyproject.toml)\n"))  # shown relative to the current directory, like findings


def test_a_fifo_swapped_in_after_the_stat_does_not_block(tmp_path, monkeypatch):
    from tenantlint import files

    fifo = tmp_path / "fifo.py"
    os.mkfifo(fifo)
    real_stat = os.stat

    def stat(path, *args, **kwargs):  # the stat before the open saw a regular file
        return real_stat(__file__ if path == fifo else path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    with pytest.raises(files.FileRefused, match=r"^\[Errno 22\] not a regular file \(a FIFO\)$"):
        files.read_regular(fifo)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc")
def test_a_file_that_says_it_is_empty_is_still_read_at_most_to_the_limit():
    from tenantlint import files

    assert os.stat("/proc/self/status").st_size == 0  # regular, but its size is unknown until read
    assert files.read_regular("/proc/self/status").startswith(b"Name:")
    with pytest.raises(files.FileRefused, match=r"^\[Errno 27\] file too large \(over the limit of 10 bytes; "
                       r"see `max-file-size`\)$"):
        files.read_regular("/proc/self/status", 10)


# -- 8. symlink loops never stop a run ------------------------------------------------------


def test_a_self_loop_is_skipped_with_one_warning(project):
    (project / "models" / "loop.py").symlink_to("loop.py")
    warning = "tenantlint: warning: models/loop.py: symlink loop, skipped\n"
    assert run_tenantlint("fix", "--diff", "-q", ".", cwd=project, timeout=60)[::2] == (1, warning)
    for path in project.rglob("*.py"):
        if not path.is_symlink():  # older than the run cache's racy window
            os.utime(path, (1_000_000_000, 1_000_000_000))
    for _ in range(2):  # the second run is replayed from the run cache: it still warns
        assert run_tenantlint("check", ".", cwd=project, timeout=60) == (1, FINDING + "Found 1 problem (1 fixable with `tenantlint fix`).\n", warning)
    # `fix` reads the tree twice (before and after): still one warning
    assert run_tenantlint("fix", ".", cwd=project, timeout=60) == (0, "Fixed 1 problem in 1 file.\n", warning)
    assert (project / "models" / "user" / "product.py").read_text(encoding="utf-8") == FIXED


def test_a_two_link_loop_does_not_stop_a_run_naming_another_file(project):
    (project / "models" / "a.py").symlink_to("b.py")
    (project / "models" / "b.py").symlink_to("a.py")
    assert run_tenantlint("check", "--no-cache", "user/product.py", cwd=project / "models", timeout=60) == (
        1, "user/product.py:4:7: TNT001 Model `Product` has no tenant schema [*]\n"
        "Found 1 problem (1 fixable with `tenantlint fix`).\n",
        "tenantlint: warning: a.py: symlink loop, skipped\ntenantlint: warning: b.py: symlink loop, skipped\n")


def test_a_loop_named_on_the_command_line_is_tnt000(project):
    (project / "models" / "loop.py").symlink_to("loop.py")
    assert run_tenantlint("check", "--no-cache", "models/loop.py", cwd=project, timeout=60) == (2, (
        "models/loop.py:1:1: TNT000 cannot read file: Too many levels of symbolic links\n"
        "Found 1 problem (0 fixable with `tenantlint fix`).\n"), "")


def test_the_walk_never_follows_a_symlinked_folder(project):
    (project / "models" / "user" / "parent").symlink_to("..", target_is_directory=True)
    (project / "models" / "self").symlink_to(".", target_is_directory=True)
    (project / "outside").symlink_to(project, target_is_directory=True)
    assert run_tenantlint("check", "--no-cache", ".", cwd=project, timeout=60) == (
        1, FINDING + "Found 1 problem (1 fixable with `tenantlint fix`).\n", "")


# -- 15. file names and messages cannot forge output lines ----------------------------------

ODD_NAMES = ["100%", "a#b?", "esc\x1b[31m", "new\nline", "with space", "é"]  # in the order findings sort


@pytest.fixture
def odd_names(project):
    (project / "models" / "user" / "product.py").unlink()
    (project / ".git").mkdir()  # SARIF URIs are relative to the checkout
    for name in ODD_NAMES:
        (project / "models" / "user" / f"{name}.py").write_text(MODEL.replace("Product", "M"), encoding="utf-8")
    return project


def test_text_output_escapes_control_characters_in_paths(odd_names):
    code, out, err = run_tenantlint("check", "--no-cache", ".", cwd=odd_names, timeout=60)
    assert (code, err) == (1, "")
    assert out == "".join(
        f"models/user/{shown}.py:4:7: TNT001 Model `M` has no tenant schema [*]\n"
        for shown in ["100%", "a#b?", "esc\\x1b[31m", "new\\nline", "with space", "é"]
    ) + "Found 6 problems (6 fixable with `tenantlint fix`).\n"


def test_github_output_escapes_per_the_workflow_command_rules(odd_names):
    code, out, err = run_tenantlint("check", "--no-cache", "--output-format", "github", ".", cwd=odd_names, timeout=60)
    assert (code, err) == (1, "")
    assert out == "".join(
        f"::error title=tenantlint (TNT001),file=models/user/{shown}.py,line=4,col=7,endLine=4,endColumn=8"
        "::TNT001 Model `M` has no tenant schema\n"
        for shown in ["100%25", "a#b?", "esc\\x1b[31m", "new%0Aline", "with space", "é"]
    )


def test_sarif_uris_are_percent_encoded(odd_names):
    code, out, err = run_tenantlint("check", "--no-cache", "--output-format", "sarif", ".", cwd=odd_names, timeout=60)
    assert (code, err) == (1, "")
    results = json.loads(out)["runs"][0]["results"]
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in results]
    expected = ["100%25", "a%23b%3F", "esc%1B%5B31m", "new%0Aline", "with%20space", "%C3%A9"]
    assert locations == [{"uri": f"models/user/{uri}.py", "uriBaseId": "%SRCROOT%"} for uri in expected]
    assert [r["fixes"][0]["artifactChanges"][0]["artifactLocation"] for r in results] == locations


def test_sarif_uri_of_a_name_that_is_not_utf8():
    from tenantlint.sarif import relative_uri

    assert relative_uri(os.fsdecode(b"models/\xff (copy);1.py")) == "models/%FF%20(copy);1.py"
    assert relative_uri("a:b/c@d.py") == "a%3Ab/c@d.py"  # a first segment never reads as a scheme


MESSAGE_SOURCE = (
    "from sqlalchemy import ForeignKey\nfrom sqlalchemy.orm import mapped_column\nfrom models.base import Base\n\n\n"
    'class Order(Base):\n    __tablename__ = "orders"\n    __table_args__ = {"schema": "tenant"}\n'
    '    product_id = mapped_column(ForeignKey("products.i\\nd\\r\\x1b[2J"))\n'
)


def test_a_string_from_the_code_cannot_forge_a_line_in_the_message(project):
    (project / "models" / "user" / "product.py").write_text(FIXED, encoding="utf-8")
    (project / "models" / "user" / "order.py").write_text(MESSAGE_SOURCE, encoding="utf-8")
    assert run_tenantlint("check", "--no-cache", ".", cwd=project, timeout=60) == (1, (
        "models/user/order.py:9:43: TNT005 Reference `products.i\\nd\\r\\x1b[2J` names tenant table `products` "
        "without the `tenant.` schema\nFound 1 problem (0 fixable with `tenantlint fix`).\n"), "")
    assert run_tenantlint("check", "--no-cache", "--output-format", "github", ".", cwd=project, timeout=60) == (1, (
        "::error title=tenantlint (TNT005),file=models/user/order.py,line=9,col=43,endLine=9,endColumn=67"
        "::TNT005 Reference `products.i%0Ad%0D\\x1b[2J` names tenant table `products` without the `tenant.` schema\n"
    ), "")


# -- 14. no part of the database URL's userinfo in any message ------------------------------

VERIFY_APP = (
    "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
    "class Base(DeclarativeBase):\n    pass\n\n\n"
    'class Product(Base):\n    __tablename__ = "products"\n    __table_args__ = {"schema": "tenant"}\n'
    "    id: Mapped[int] = mapped_column(primary_key=True)\n"
)
UNPARSABLE = ("tenantlint: error: --database-url: could not parse the database URL (percent-encode `@`, `:` and "
              "`/` in the user name and password, e.g. `%40` for `@`)\n")
REFUSED = ("tenantlint: error: cannot connect to --database-url postgresql+psycopg://***@127.0.0.1:1/db: "
           "OperationalError: (psycopg.OperationalError) connection failed: connection to server at \"127.0.0.1\", "
           "port 1 failed: Connection refused\n")


@pytest.fixture
def verify_app(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.tenantlint]\n", encoding="utf-8")
    (tmp_path / "app" / "models" / "user").mkdir(parents=True)
    for init in ("app/__init__.py", "app/models/__init__.py"):
        (tmp_path / init).write_text("", encoding="utf-8")
    (tmp_path / "app" / "models" / "user" / "__init__.py").write_text(VERIFY_APP, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("url", "secret", "expected"), [
    # an unescaped `@` moves part of the password into the host, the port, the database or the query
    ("postgresql+psycopg://postgres:s3cr@tPART@127.0.0.1:1/db", "tPART", UNPARSABLE),
    ("postgresql+psycopg://postgres:p@ss:w0rdPART@127.0.0.1:1/db", "w0rdPART", UNPARSABLE),
    ("postgresql+psycopg://pa/ss:wPART@127.0.0.1:1/db", "wPART", UNPARSABLE),
    ("postgresql+psycopg://u:sec@ret@h/db?x=PART", "ret", UNPARSABLE),
    ("postgresql+psycopg://[postgres:secretPART@127.0.0.1:1/db", "secretPART", REFUSED),
    # parsed right: the connection error shows the URL with `***` for the userinfo
    ("postgresql+psycopg://postgres:s3cr/etPART@127.0.0.1:1/db", "etPART", REFUSED),
    ("postgresql+psycopg://us:er:pwPART@127.0.0.1:1/db", "pwPART", REFUSED),
    ("postgresql+psycopg://postgres:p%40ssPART@127.0.0.1:1/db?password=qPART", "PART", REFUSED),
    ("nope://postgres:secretPART@h", "secretPART",
     "tenantlint: error: --database-url nope://***@h: NoSuchModuleError: Can't load plugin: sqlalchemy.dialects:nope\n"),
])
def test_a_malformed_database_url_never_shows_its_userinfo(verify_app, url, secret, expected):
    code, out, err = run_tenantlint("verify", "app.models", "--database-url", url, cwd=verify_app, timeout=60)
    assert (code, out, err) == (2, "", expected)
    assert secret not in out + err and "postgres:" not in err


def test_the_url_from_the_environment_is_masked_too(verify_app):
    env = {"TENANTLINT_DATABASE_URL": "postgresql+psycopg://postgres:s3cr@tPART@127.0.0.1:1/db"}
    result = run_tenantlint("verify", "app.models", cwd=verify_app, timeout=60, env=env)
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", UNPARSABLE)


@needs_postgres
def test_a_user_name_in_the_drivers_message_is_masked_as_a_whole_word_only(verify_app):
    from sqlalchemy.engine import make_url

    server = make_url(DATABASE_URL)
    url = server.set(username="er", password="pwPART").render_as_string(hide_password=False)
    code, out, err = run_tenantlint("verify", "app.models", "--database-url", url, cwd=verify_app, timeout=60)
    assert (code, out) == (2, "")
    assert err == (
        f"tenantlint: error: cannot connect to --database-url postgresql+psycopg://***@{server.host}:{server.port}/"
        f"{server.database}: OperationalError: (psycopg.OperationalError) connection failed: connection to server at "
        f"\"{server.host}\", port {server.port} failed: FATAL:  role \"***\" does not exist\n")

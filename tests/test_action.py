"""CI as pasted: the README's GitHub Actions job installs what exists (the git URL), the shipped
`action.yml` is a valid composite action that runs the README's command, and SARIF's links land
on the rule reference's headings."""

from __future__ import annotations

import re

import yaml

from conftest import REPO
from tenantlint.rules import RULES
from tenantlint.sarif import INFORMATION_URI, REPOSITORY, RULE_REFERENCE, help_uri

README = (REPO / "README.md").read_text(encoding="utf-8")
ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))


def yaml_blocks() -> list[dict | list]:
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", README, re.S)]


def readme_job() -> list[dict]:
    (workflow,) = [b for b in yaml_blocks() if isinstance(b, dict) and "jobs" in b]
    return workflow["jobs"]["tenantlint"]["steps"]


def pre_commit_repo() -> tuple[str, str]:
    config = next(b for b in yaml_blocks() if isinstance(b, dict) and "repos" in b)  # the first: the setup
    repo = config["repos"][0]
    return repo["repo"], repo["rev"]


def test_the_readme_job_installs_from_the_git_url_of_the_pre_commit_section():
    url, rev = pre_commit_repo()
    runs = [step["run"] for step in readme_job() if "run" in step]
    assert runs[0] == f'pip install "tenantlint @ git+{url}@{rev}"'
    assert "pip install tenantlint" not in README  # not on a package index
    assert url == REPOSITORY + ".git"


def test_action_yml_is_a_composite_action():
    assert set(ACTION) >= {"name", "description", "inputs", "runs"}
    assert ACTION["runs"]["using"] == "composite"
    steps = ACTION["runs"]["steps"]
    for step in steps:
        assert ("uses" in step) != ("run" in step)
        assert "run" not in step or step["shell"] == "bash"  # a composite `run` step must name its shell
    assert [step.get("uses", "run") for step in steps] == [
        "actions/setup-python@v5", "run", "run", "run", "github/codeql-action/upload-sarif@v3"]
    for name, spec in ACTION["inputs"].items():
        assert set(spec) == {"description", "required", "default"} and spec["required"] is False, name
        assert "${{" not in " ".join(step.get("run", "") for step in steps), "inputs reach scripts through env only"


def test_action_inputs_are_documented_in_the_readme():
    table = README.split("| input | default | meaning |\n|---|---|---|\n", 1)[1].split("\n\n", 1)[0]
    rows = dict(re.findall(r"^\| `([\w-]+)` \| `(\"[^`]*\")` \| ", table, re.M))
    assert {name: f'"{spec["default"]}"' for name, spec in ACTION["inputs"].items()} == rows


def test_action_runs_the_readme_commands():
    steps = ACTION["runs"]["steps"]
    job = readme_job()
    readme_runs = [step["run"] for step in job if "run" in step]
    action_runs = [step["run"].replace(" $TENANTLINT_ARGS", "") for step in steps if "run" in step]
    assert action_runs[1:] == readme_runs[1:] == [
        "tenantlint check --output-format github",
        "tenantlint check --output-format sarif --exit-zero > tenantlint.sarif",
    ]
    assert action_runs[0] == 'pip install "$GITHUB_ACTION_PATH"'  # the checkout of the ref in `uses:`
    assert steps[0]["uses"] == next(s["uses"] for s in job if s.get("uses", "").startswith("actions/setup-python"))
    upload = next(s for s in job if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert steps[-1]["with"] == upload["with"] == {"sarif_file": "tenantlint.sarif", "category": "tenantlint"}
    for step in steps[2:4]:
        assert step["env"] == {"TENANTLINT_ARGS": "${{ inputs.args }}"}
    assert [s.get("if") for s in steps] == [None, None, None, "always() && inputs.sarif == 'true'",
                                            "always() && inputs.sarif == 'true'"]
    (uses,) = [step["uses"] for block in yaml_blocks() if isinstance(block, dict) and "steps" in block
               for step in block["steps"] if "tenantlint@" in step.get("uses", "")]
    assert uses == "OWNER/tenantlint@v0.1.0"


def github_anchor(heading: str) -> str:
    """GitHub's id for a Markdown heading: lower case, punctuation dropped, spaces to `-`."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_sarif_links_land_on_the_rule_reference():
    assert INFORMATION_URI == REPOSITORY
    page = RULE_REFERENCE.removeprefix(REPOSITORY).removeprefix("/blob/main/")
    assert page == "docs/rules.md"
    headings = {github_anchor(h) for h in re.findall(r"^#+ (.*)$", (REPO / page).read_text(encoding="utf-8"), re.M)}
    for code, rule in RULES.items():
        link = help_uri(rule)
        assert link == f"{RULE_REFERENCE}#{code.lower()}-{rule.name}"
        assert link.partition("#")[2] in headings, code

"""A node's own lock on a workspace whose state does not exist yet, with the real Terraform and the sandbox.

Seen in the repeated full suite (`apply` of a new client: 03-database failed in `init`): the lock request of
`terraform workspace new` was retried by the AWS SDK after its first attempt had succeeded, so the step
tripped over its own lock. `terraform force-unlock` cannot remove that lock: the S3 backend loads the
workspace's state before it unlocks, and a state that does not exist yet it first creates under a lock of its
own, which the stuck lock refuses ("Failed to load state: failed to lock s3 state"). The sandbox runner then
removes the lock from the backend itself (clientctl.terraform.setup.release_lock).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest

from clientctl.aws import locks
from clientctl.terraform import binary
from clientctl.terraform.runner import terraform_identity
from clientctl.terraform.setup import make_runner
from tests.aws.conftest import REGION, Aws, aws, server
from tests.day2aws.conftest import BUCKET, TABLE, make_backend

__all__ = ["aws", "server"]

REPO = Path(__file__).resolve().parents[2]
KEY = "providers/layer/terraform.tfstate"


def test_the_sandbox_removes_its_own_lock_on_a_new_workspace_that_force_unlock_cannot(
    aws: Aws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terraform = binary.find(None, REPO)
    if terraform is None:
        pytest.skip("no Terraform CLI: run ./dev setup")
    monkeypatch.delenv("TF_PLUGIN_CACHE_DIR", raising=False)
    make_backend(aws)
    root = tmp_path / "repo"
    folder = root / "providers" / "layer"
    folder.mkdir(parents=True)
    (folder / "main.tf").write_text('terraform {\n  backend "s3" {}\n}\n')
    settings = {"bucket": BUCKET, "key": KEY, "region": REGION, "dynamodb_table": TABLE, "use_lockfile": True}
    (folder / "backend.hcl").write_text("".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items()))

    runner = make_runner(root, aws.target(), terraform=str(terraform))
    log = io.StringIO()
    session = runner.session(folder, "acme", tmp_path / "data", log)
    # What the retried PutItem left: a lock by this user@host, taken after the session began, on the state of
    # workspace "acme", which does not exist yet (both places: lockfile and lock-table item).
    state_key = f"env:/acme/{KEY}"
    s3, ddb = aws.raw(), aws.raw("dynamodb")
    info = locks.lock_info(f"{BUCKET}/{state_key}", terraform_identity(), "init", dt.datetime.now(dt.UTC))
    locks.acquire(s3, ddb, BUCKET, state_key, TABLE, info)

    step = session.init()

    text = log.getvalue()
    assert step.ok and "own-lock" in step.retried_on, text
    assert "Failed to load state" in text  # Terraform's force-unlock could not release it
    assert (
        f"removed from the backend: dynamodb://{TABLE}/{BUCKET}/{state_key}, s3://{BUCKET}/{state_key}.tflock" in text
    )
    assert "Item" not in ddb.get_item(TableName=TABLE, Key={"LockID": {"S": f"{BUCKET}/{state_key}"}})
    s3.head_object(Bucket=BUCKET, Key=state_key)  # `workspace new` went on to create the workspace's state

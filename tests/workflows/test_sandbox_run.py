"""Issue #6 part B.1: the run commands with --sandbox talk to the HTTPS sandbox, Terraform trusting its CA,
through a backend provisioned by `backend provision` (TLS-only bucket policy in force)."""

from __future__ import annotations

import json

from clientctl import naming
from tests.workflows.conftest import ENV, REGION, STATE_BUCKET, Env


def test_apply_a_fixture_layer_through_the_provisioned_backend_over_https(fixture_env: Env) -> None:
    env = fixture_env
    env.provision()
    policy = json.loads(env.s3().get_bucket_policy(Bucket=STATE_BUCKET)["Policy"])
    assert any(s.get("Sid") == "DenyInsecureTransport" for s in policy["Statement"])

    res = env.tf("apply", "acme-corp", "--layer", "01-foundation", "--sandbox", "--auto-approve")
    assert res.code == 0, res.text
    key = naming.client_state_key(REGION, "01-foundation", ENV, "acme-corp")
    state = json.loads(env.s3().get_object(Bucket=STATE_BUCKET, Key=key)["Body"].read())
    assert state["outputs"]["id"]["value"] == "01-foundation/acme-corp"

    res = env.tf("drift", "acme-corp", "--layer", "01-foundation", "--sandbox")
    assert res.code == 0 and "drift: none" in res.out, res.text
    res = env.tf("apply", "acme-corp", "--sandbox", "--endpoint-url", "https://x", "--auto-approve")
    assert res.code == 2 and "cannot be combined" in res.text

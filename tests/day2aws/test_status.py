"""clientctl status against the sandbox: states and locks written like Terraform writes them."""

from __future__ import annotations

import json

from .conftest import BUCKET, LAYERS, Aws, cli_json, key, make_backend, put_digest, put_lock, put_state


def test_status_grid_reads_every_state_and_lock(aws: Aws) -> None:
    make_backend(aws)
    for i, layer in enumerate(LAYERS):
        put_state(aws, "acme-corp", layer, serial=1)
        put_state(aws, "acme-corp", layer, serial=2 + i, resources=2 + i)
    for layer in LAYERS[:4]:
        put_state(aws, "globex", layer, serial=5, tf="1.11.0")
    put_state(aws, "globex", "04-standalone-compute", serial=6, resources=0)  # workspace made, nothing applied
    lock_id = put_lock(aws, "acme-corp", "02-platform", minutes_ago=12)
    put_digest(aws, "acme-corp", "02-platform", "0" * 32)  # digest items are not locks
    (aws.repo / "clients" / "initech.yaml").write_text(
        (aws.repo / "clients" / "initech.yaml").read_text().replace("enabled: true", "enabled: false", 1)
    )

    code, report = cli_json(aws, "status", "--output", "json")
    assert code == 0, report
    rows = {c["client"]: c for c in report["clients"]}
    assert set(rows) == {"acme-corp", "globex", "initech"}

    acme = rows["acme-corp"]
    assert acme["health"] == "locked"
    assert acme["summary"].startswith("6/6 layers applied; 02 locked by alice@laptop (apply, 12 min)")
    s3 = aws.raw()
    for i, layer in enumerate(acme["layers"]):
        head = s3.head_object(Bucket=BUCKET, Key=key("acme-corp", LAYERS[i]))
        stored = json.loads(s3.get_object(Bucket=BUCKET, Key=layer["key"])["Body"].read())
        assert layer["status"] == "applied"
        assert layer["serial"] == stored["serial"] == 2 + i
        assert layer["resource_count"] == len(stored["resources"][0]["instances"]) == 2 + i
        assert layer["terraform_version"] == "1.10.5"
        assert layer["last_modified"] == head["LastModified"].isoformat()
        assert layer["size"] == head["ContentLength"]
    assert acme["layers"][1]["lock"]["id"] == lock_id
    assert acme["layers"][1]["lock"]["sources"] == ["dynamodb", "s3"]
    assert [ly["lock"] for i, ly in enumerate(acme["layers"]) if i != 1] == [None] * 5

    globex = rows["globex"]
    assert globex["health"] == "incomplete"
    assert globex["summary"] == "3/6 layers applied; layers 05,06 missing; layer 04 empty (no resources)"
    assert globex["layers"][0]["terraform_version"] == "1.11.0"

    initech = rows["initech"]
    assert (initech["enabled"], initech["health"]) == (False, "disabled")
    assert initech["summary"] == "disabled; no state (never applied)"

    code, out = aws.cli("status", "acme-corp", "globex", "--layer", "05")
    assert code == 0, out
    assert "acme-corp: 1/1 layers applied" in out
    assert "globex: no state (never applied)" in out


def test_status_table_output(aws: Aws) -> None:
    make_backend(aws)
    put_state(aws, "acme-corp", "01-foundation", serial=9)
    code, out = aws.cli("status", "acme-corp")
    assert code == 0, out
    assert "acme-corp: 1/6 layers applied; layers 02,03,04,05,06 missing" in out
    assert "✓ s9" in out and "1.10.5" in out


def test_status_bad_input_is_a_clear_error(aws: Aws) -> None:
    code, out = aws.cli("status")
    assert code == 2
    assert f"state bucket {BUCKET} does not exist" in out and "clientctl backend provision" in out
    make_backend(aws)
    code, out = aws.cli("status", "acme-crop")
    assert code == 2 and "unknown client 'acme-crop'" in out and "did you mean 'acme-corp'" in out
    code, out = aws.cli("status", "--layer", "07")
    assert code == 2 and "unknown layer '07'" in out and "01-foundation" in out
    assert "Traceback" not in out

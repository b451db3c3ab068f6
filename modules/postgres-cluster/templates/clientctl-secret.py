#!/usr/bin/python3
"""Print one field of a JSON secret from Secrets Manager (through the instance role) to stdout.

Usage: clientctl-secret <secret-arn> <field>. Retries while the role or the secret version propagates.
The value goes to stdout only, for a caller that keeps it in a variable; it is never logged.
"""

import json
import sys
import time

import boto3

arn, field = sys.argv[1], sys.argv[2]
region = arn.split(":")[3]
client = boto3.client("secretsmanager", region_name=region)
for _attempt in range(30):
    try:
        secret = client.get_secret_value(SecretId=arn)["SecretString"]
        sys.stdout.write(json.loads(secret)[field])
        sys.exit(0)
    except Exception as exc:  # report the class only, never the secret
        sys.stderr.write(f"clientctl-secret: {arn}: {type(exc).__name__}, retrying\n")
        time.sleep(10)
sys.exit(1)

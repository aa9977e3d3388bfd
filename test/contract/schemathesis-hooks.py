"""Hooks every schemathesis run of the test suite loads (test/support/contract.ts sets SCHEMATHESIS_HOOKS).

A fresh Idempotency-Key on every request. The API keeps Stripe's and the IETF Idempotency-Key
draft's semantics: the same key with the same request, within 24 hours, answers the stored first
answer again (`Idempotent-Replayed: true`), even when what it created has been deleted since: a
client that retries a job's creation must not get a second job. Hypothesis, though, draws short
keys ("0", "K") again and again and re-runs whole stateful scenarios step by step, so the fuzzer
sends a key again after it has acted on the first answer: it deletes the job it created, the
scenario runs again, its POST gets the replayed 201 for the deleted job, and the follow-up DELETE or
GET answers 404, which `ensure_resource_availability` reports as "Created resource not found"
(ST302). A real client makes a new key for each new operation, as the key's description says; so
does this hook. The drawn key stays in front of the suffix, so its characters and length are still
fuzzed, and a malformed key is sent as drawn, so the 422 for it is still checked. Replays themselves
are tested in test/integration/idempotency.test.ts, and test/contract/schemathesis.test.ts shows
the failure these keys would cause.
"""

import re
import uuid

import schemathesis

# The header's documented pattern (src/http/route.ts).
VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
SUFFIX_LENGTH = 33  # "~" and 32 hex digits


@schemathesis.hook
def before_call(context, case, kwargs):
    headers = case.headers
    if not headers:
        return
    for name, value in list(headers.items()):
        if name.lower() == "idempotency-key" and isinstance(value, str) and VALID_KEY.match(value):
            headers[name] = f"{value[:255 - SUFFIX_LENGTH]}~{uuid.uuid4().hex}"

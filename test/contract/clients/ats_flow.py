"""Sign-in, apply and a stage change through the client openapi-python-client generated from /openapi.json.

Usage: ats_flow.py BASE_URL JOB_ID CANDIDATE_EMAIL CANDIDATE_PASSWORD RECRUITER_EMAIL RECRUITER_PASSWORD
Prints the application after the stage change as JSON; any unexpected answer exits non-zero.
"""

import json
import sys

from ats_client import AuthenticatedClient, Client
from ats_client.api.applications import patch_api_applications_id_stage, post_api_jobs_id_apply
from ats_client.api.auth import post_api_auth_login
from ats_client.models import Application, Apply, Login, StageChangeRequest, Token


def sign_in(base_url: str, email: str, password: str) -> AuthenticatedClient:
    answer = post_api_auth_login.sync(client=Client(base_url=base_url), body=Login(email=email, password=password))
    if not isinstance(answer, Token):
        sys.exit(f"sign-in failed: {answer}")
    if answer.token_type.value != "bearer":
        sys.exit(f"token_type is {answer.token_type}")
    return AuthenticatedClient(base_url=base_url, token=answer.access_token)


def main(base_url: str, job_id: str, candidate_email: str, candidate_password: str, recruiter_email: str, recruiter_password: str) -> None:
    candidate = sign_in(base_url, candidate_email, candidate_password)
    applied = post_api_jobs_id_apply.sync(job_id, client=candidate, body=Apply(cover_letter="Hello from Python", resume_url="https://example.com/cv.pdf"))
    if not isinstance(applied, Application):
        sys.exit(f"apply failed: {applied}")

    recruiter = sign_in(base_url, recruiter_email, recruiter_password)
    # Stage ids are the job's pipeline's: a string (the default pipeline's `screening` here).
    body = StageChangeRequest(stage="screening", reason="Strong portfolio")
    moved = patch_api_applications_id_stage.sync(applied.id, client=recruiter, body=body)
    if not isinstance(moved, Application):
        sys.exit(f"stage change failed: {moved}")
    print(json.dumps(moved.to_dict()))


if __name__ == "__main__":
    main(*sys.argv[1:])

"""The served OpenAPI document matches the API in use: it is the repository's
api/openapi.json, and the main flows' real responses validate against its
schemas (JSON Schema 2020-12, as OpenAPI 3.1 uses)."""
import json
from pathlib import Path

import jsonschema
import requests

from test_auth import Client, NEW_PASSWORD  # noqa: F401  (a browser-like client)
from conftest import ADMIN_PASSWORD
from totp import next_code

REPO_DOC = Path(__file__).resolve().parents[3] / "api/openapi.json"


class Contract:
    def __init__(self, doc):
        self.doc = doc

    def check(self, path, method, response):
        """Validates `response` against the document's schema for it."""
        op = self.doc["paths"][path][method.lower()]
        responses = op["responses"]
        entry = responses.get(str(response.status_code)) or responses["default"]
        if "$ref" in entry:
            entry = self.doc["components"]["responses"][entry["$ref"].split("/")[-1]]
        if "content" not in entry:
            assert not response.content, (path, method, response.status_code)
            return
        media = response.headers["content-type"].split(";")[0]
        assert media in entry["content"], (path, method, media)
        schema = dict(entry["content"][media]["schema"])
        schema["components"] = self.doc["components"]
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        jsonschema.validate(response.json(), schema,
                            cls=jsonschema.Draft202012Validator)


def test_served_document_is_the_repository_one(server):
    r = requests.get(server.url + "/api/v1/openapi.json",
                     verify=str(server.data / "tls/cert.pem"), timeout=10)
    assert r.status_code == 200
    assert r.json() == json.loads(REPO_DOC.read_text())


def test_sign_in_and_account_flows_match_the_schemas(server):
    contract = Contract(json.loads(REPO_DOC.read_text()))
    c = Client(server)
    contract.check("/api/v1/auth/login", "POST", Client(server).login("nobody", "wrong-password"))
    r = c.login("admin", ADMIN_PASSWORD)
    contract.check("/api/v1/auth/login", "POST", r)
    contract.check("/api/v1/me", "GET", c.call("GET", "/api/v1/me"))
    # Administrators enrol a second factor before anything else.
    contract.check("/api/v1/me/mfa", "GET", c.call("GET", "/api/v1/me/mfa"))
    begun = c.call("POST", "/api/v1/me/mfa/enrolment")
    contract.check("/api/v1/me/mfa/enrolment", "POST", begun)
    secret = begun.json()["secret"]
    contract.check("/api/v1/me/mfa/confirm", "POST",
                   c.call("POST", "/api/v1/me/mfa/confirm", json={"code": "000000x"}))
    confirmed = c.call("POST", "/api/v1/me/mfa/confirm", json={"code": next_code(secret)})
    assert confirmed.status_code == 200, confirmed.text
    contract.check("/api/v1/me/mfa/confirm", "POST", confirmed)
    contract.check("/api/v1/auth/reauth", "POST",
                   c.call("POST", "/api/v1/auth/reauth", json={"code": next_code(secret)}))
    contract.check("/api/v1/auth/mfa", "POST",
                   c.call("POST", "/api/v1/auth/mfa", json={"code": next_code(secret)}))
    contract.check("/api/v1/me/mfa/recovery-codes", "POST",
                   c.call("POST", "/api/v1/me/mfa/recovery-codes",
                          json={"code": next_code(secret)}))
    second = Client(server)
    contract.check("/api/v1/auth/login", "POST", second.login("admin", ADMIN_PASSWORD))
    contract.check("/api/v1/me", "GET", second.call("GET", "/api/v1/me"))
    contract.check("/api/v1/auth/mfa", "POST",
                   second.call("POST", "/api/v1/auth/mfa", json={"code": next_code(secret)}))
    contract.check("/api/v1/me/mfa/disable", "POST",
                   second.call("POST", "/api/v1/me/mfa/disable", json={"code": "123"}))
    created = c.call("POST", "/api/v1/me/tokens", json={"name": "ci", "scopes": ["read"]})
    assert created.status_code == 201, created.text
    contract.check("/api/v1/me/tokens", "POST", created)
    contract.check("/api/v1/me/tokens", "GET", c.call("GET", "/api/v1/me/tokens"))
    contract.check("/api/v1/me/sessions", "GET", c.call("GET", "/api/v1/me/sessions"))
    contract.check("/api/v1/me/tokens", "DELETE",
                   c.call("DELETE", f"/api/v1/me/tokens?id={created.json()['id']}"))
    contract.check("/api/v1/me/tokens", "DELETE", c.call("DELETE", "/api/v1/me/tokens?id=999"))
    contract.check("/api/v1/auth/logout", "POST", c.call("POST", "/api/v1/auth/logout"))
    contract.check("/api/v1/me", "GET", c.call("GET", "/api/v1/me"))

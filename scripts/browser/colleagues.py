"""Colleagues for the console's browser checks (notes, tasks, handoffs): departments and users made
through the admin API with a password, signed in in a browser of their own, and read over HTTP."""

from __future__ import annotations

import requests


class UserSession:
    """One colleague over HTTP (cookie + CSRF token), to read what the server holds for them."""

    def __init__(self, base: str, email: str, password: str) -> None:
        self.base = base
        self.s = requests.Session()
        r = self.s.post(base + "/v1/session", json={"email": email, "password": password}, timeout=30)
        if r.status_code != 201:
            raise RuntimeError(f"POST /v1/session for {email} -> {r.status_code}: {r.text[:200]}")
        self.s.headers["X-CSRF-Token"] = r.json().get("csrf_token", "")

    def get(self, path: str, **params) -> requests.Response:
        return self.s.get(self.base + path, params=params, timeout=30)

    def unread(self) -> int | None:
        r = self.get("/v1/notifications/unread-count")
        return r.json().get("unread") if r.status_code == 200 else None


def department(api, key: str) -> dict:
    """The department with `key`, made when the store has none."""
    found = next((d for d in api.get("/v1/departments")["data"] if d["key"] == key), None)
    return found or api.post("/v1/departments", {"key": key, "name": key.title()})


def user(api, base: str, who: dict, department: dict | None, password: str, role: str = "agent") -> dict:
    """The user `who` ({email, name}) of `department` (None: of none, as an admin may be), made with
    `password` when the store has none."""
    existing = next((u for u in api.get("/v1/users")["data"] if u["email"] == who["email"]), None)
    body = {"email": who["email"], "name": who["name"], "role": role}
    if department is not None:
        body["department_id"] = department["id"]
    made = existing or api.post("/v1/users", body)
    if existing is None:
        link = api.post("/v1/password-setups", {"user_id": made["id"]})
        r = requests.post(base + "/v1/password-setups/complete", json={"token": link["token"], "password": password}, timeout=30)
        if r.status_code != 201:
            raise RuntimeError(f"password setup for {who['email']} -> {r.status_code}: {r.text[:200]}")
    return made


def sign_in(b, who: dict, password: str, wait: float) -> bool:
    """Signs `who` in through the console's sign-in page of browser `b`, in English."""
    b.go("/#/sign-in")
    if b.visible("input[name=password]") is None:
        return False
    b.d.execute_script("localStorage.setItem('rapport.locale', 'en')")
    b.css("input[name=email]")[0].send_keys(who["email"])
    b.css("input[name=password]")[0].send_keys(password)
    b.css("form button[type=submit]")[0].click()
    return bool(b.wait(lambda: b.visible(".user-button", 1) and "#/sign-in" not in b.d.current_url, wait))

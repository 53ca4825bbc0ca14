"""Signing in as a person does, in the browser: the password, then the second step
(askesos.accounts.second_factor) for those whose role needs it. At a first sign-in the
enrolment page is walked as a user with an authenticator app would: the key shown under
the QR code goes into the "app" (here: django_otp's TOTP), its code is typed, the
recovery codes page is acknowledged. The key is remembered for later sign-ins."""

from __future__ import annotations

import re
import time
from base64 import b32decode
from dataclasses import dataclass

from django_otp.oath import TOTP

from tests.conftest import PASSWORD

STEP = 30


@dataclass
class App:
    """One user's authenticator app: the key it holds, the last time step typed (a
    code is taken once)."""

    key: bytes
    last_step: int = -1

    def code(self) -> str:
        now = int(time.time()) // STEP
        step = max(now, self.last_step + 1)  # the server allows one step ahead
        self.last_step = step
        totp = TOTP(self.key, STEP, 0, 6, 0)
        totp.time = step * STEP + 1
        return f"{totp.token():06d}"


APPS: dict[str, App] = {}


def sign_in(page, base: str, username: str, *, password: str = PASSWORD) -> None:
    """From the sign-in page to the dashboard (or the page the server sends to)."""
    page.goto(f"{base}/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()
    second_step(page, username)


def second_step(page, username: str) -> None:
    if "/masuk/kode-baru/" in page.url:
        text = page.locator("#second-factor-key").inner_text().replace(" ", "")
        APPS[username] = App(b32decode(text + "=" * (-len(text) % 8)))
        page.get_by_label("Kode").fill(APPS[username].code())
        page.get_by_role("button", name="Konfirmasi").click()
        page.wait_for_selector("#recovery-codes")
        page.get_by_role("link", name=re.compile("Sudah saya simpan")).click()
        page.wait_for_load_state()
    elif "/masuk/kode/" in page.url:
        page.get_by_label("Kode").fill(APPS[username].code())
        page.get_by_role("button", name="Konfirmasi").click()
        page.wait_for_load_state()

"""A real IMAP server for the mailbox channel's tests: Debian's Dovecot, started by the test run.

Each pytest worker starts one Dovecot of its own (session scope) from a generated configuration:
IMAP only, on 127.0.0.1 and a free port, no TLS, users in a passwd file, maildirs in a temporary
folder, its own base_dir, so no system Dovecot or its config is touched. Run as an ordinary user,
every Dovecot process is that user; run as root, Dovecot insists on its unprivileged users
(dovenull for logins, dovecot inside) and on a non-root owner of the mail, so mail belongs to
nobody there. Messages arrive by IMAP APPEND, as a mail server's delivery would leave them.

Without /usr/sbin/dovecot the tests skip, or fail when CI is set (.ci/run installs
dovecot-imapd), like the browser tests with chromium.
"""

from __future__ import annotations

import imaplib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

DOVECOT = os.environ.get("CRMKIT_TEST_DOVECOT") or "/usr/sbin/dovecot"
USERS = 500  # mailboxes in the passwd file, written before Dovecot starts (it may miss a rewrite)
PASSWORD = "s3cret-pass"
_users = itertools.count(1)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def quoted(folder: str) -> str:
    """A folder name for imaplib, which sends arguments as they are (IMAP modified UTF-7)."""
    from crmkit.core.intake_mail.imap import encode_folder

    return encode_folder(folder)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = crmkit-test-{port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = 1
login_trusted_networks = 127.0.0.0/8
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@dataclass
class MailServer:
    """A running Dovecot: ``add_user()`` gives a fresh mailbox, ``append()`` delivers to it."""

    root: Path
    port: int
    process: subprocess.Popen
    host: str = "127.0.0.1"
    passwords: dict[str, str] = field(default_factory=dict)

    def add_user(self) -> str:
        """A new, empty mailbox's login (an address), so tests never see each other's mail."""
        user = f"sales{next(_users)}@agency.kz"
        if user not in self.passwords:
            raise RuntimeError(f"the test server has only {USERS} mailboxes; raise USERS")
        return user

    def connect(self, user: str) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(user, self.passwords[user])
        return client

    def append(self, user: str, message: bytes, folder: str = "INBOX", flags: str | None = None) -> None:
        """Deliver ``message`` (bytes, CRLF or LF lines) into the user's folder."""
        client = self.connect(user)
        try:
            if folder != "INBOX":
                client.create(quoted(folder))
            status, answer = client.append(quoted(folder), flags, None, message.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
            assert status == "OK", answer
        finally:
            client.logout()

    def create_folder(self, user: str, folder: str) -> None:
        client = self.connect(user)
        try:
            status, answer = client.create(quoted(folder))
            assert status == "OK", answer
        finally:
            client.logout()

    def uids(self, user: str, folder: str = "INBOX", criteria: tuple[str, ...] = ("ALL",)) -> list[int]:
        client = self.connect(user)
        try:
            status, _ = client.select(quoted(folder))
            assert status == "OK"
            _, data = client.uid("SEARCH", None, *criteria)
            return [int(uid) for uid in data[0].split()]
        finally:
            client.logout()

    def flags(self, user: str, folder: str = "INBOX") -> dict[int, str]:
        """Each message's flags as IMAP gives them, by UID."""
        client = self.connect(user)
        try:
            client.select(quoted(folder))
            _, data = client.uid("FETCH", "1:*", "(FLAGS)")
            found = {}
            for line in data:
                if isinstance(line, bytes) and b"UID" in line:
                    text = line.decode()
                    uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
                    found[uid] = text.split("FLAGS (")[1].split(")")[0]
            return found
        finally:
            client.logout()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _accounts() -> dict[str, object]:
    """Who the Dovecot processes run as (see the module's docstring)."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return {"internal": me.pw_name, "internal_group": _group(me.pw_gid), "login": me.pw_name,
                "uid": me.pw_uid, "gid": me.pw_gid}
    nobody = pwd.getpwnam("nobody")
    return {"internal": "dovecot", "internal_group": "dovecot", "login": "dovenull",
            "uid": nobody.pw_uid, "gid": nobody.pw_gid}


def _group(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


def _listening(port: int, process: subprocess.Popen, deadline: float) -> bool:
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(64).startswith(b"* OK"):
                    return True
        except OSError:
            time.sleep(0.05)
    return False


def start() -> MailServer:
    """A Dovecot on a free port of 127.0.0.1; tries another port if that one was taken meanwhile."""
    accounts = _accounts()
    root = Path(tempfile.mkdtemp(prefix="crmkit-dovecot-"))
    root.chmod(0o755)  # dovecot's own users must reach its sockets when started by root
    for name in ("run", "state", "mail"):
        (root / name).mkdir()
    if os.geteuid() == 0:
        os.chown(root / "mail", accounts["uid"], accounts["gid"])
    passwords = {f"sales{number}@agency.kz": PASSWORD for number in range(1, USERS + 1)}
    (root / "passwd").write_text("".join(f"{user}:{{PLAIN}}{secret}\n" for user, secret in passwords.items()))
    last_log = ""
    for _attempt in range(5):
        port = free_port()
        (root / "dovecot.conf").write_text(CONFIG.format(root=root, port=port, **accounts))
        process = subprocess.Popen([DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        if _listening(port, process, time.monotonic() + 15):
            return MailServer(root, port, process, passwords=passwords)
        process.terminate()
        process.wait(timeout=10)
        log = root / "dovecot.log"
        last_log = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    shutil.rmtree(root, ignore_errors=True)
    raise RuntimeError(f"Dovecot did not start; its log ends with:\n{last_log}")


@pytest.fixture(scope="session")
def mail_server():
    """One Dovecot for this worker's tests (see the module's docstring)."""
    if not os.access(DOVECOT, os.X_OK):
        reason = f"Dovecot is not installed at {DOVECOT} (apt-get install dovecot-imapd; .ci/run does it)"
        if in_ci():
            pytest.fail(f"CI is set, so the IMAP tests may not be skipped: {reason}", pytrace=False)
        pytest.skip(reason)
    server = start()
    yield server
    server.stop()
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture
def imap_user(mail_server):
    """A fresh, empty mailbox on the test server: its login (an address)."""
    return mail_server.add_user()


# Messages and mailboxes for the tests


def message(subject: str = "Ищу квартиру", body: str = "Здравствуйте! Нужна 2-комнатная, звоните 8 701 123 45 67.",
            sender: str = "Айгуль Сапарова <aigul@example.kz>", to: str = "sales@agency.kz",
            message_id: str | None = "<m1@example.kz>", html: str | None = None, headers: dict | None = None,
            attachments: list[tuple[str, bytes, str]] = ()) -> bytes:
    """A well-formed message (UTF-8), as a mail client writes one."""
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail["Date"] = "Mon, 07 Dec 2026 10:00:00 +0500"
    if message_id:
        mail["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        mail[name] = value
    if body is not None:
        mail.set_content(body)
    if html is not None:
        if body is None:
            mail.set_content(html, subtype="html")
        else:
            mail.add_alternative(html, subtype="html")
    for filename, data, kind in attachments:
        maintype, subtype = kind.split("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return mail.as_bytes()


def make_mailbox(app, server: MailServer, user: str, **settings):
    """A mailbox row for ``user`` on the test server, committed; returns its id."""
    from crmkit import db
    from crmkit.core.intake_mail import sealing
    from crmkit.core.intake_mail.models import Mailbox

    password = settings.pop("password", server.passwords[user])
    values = {"name": "Sales", "host": server.host, "port": server.port, "security": "none", "username": user,
              "take_existing": True, **settings}
    with app.app_context():
        mailbox = Mailbox(**values, password_sealed=sealing.seal(password))
        db.session().add(mailbox)
        db.session().commit()
        return mailbox.id


def poll(app, mailbox_id: int):
    """One poll of the mailbox, as the job runs it; its result."""
    from crmkit import db
    from crmkit.core.intake_mail import polling
    from crmkit.core.intake_mail.models import Mailbox

    with app.app_context():
        return polling.poll(db.session().get(Mailbox, mailbox_id))

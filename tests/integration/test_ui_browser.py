#!/usr/bin/python3
"""The web console in a real browser (issue 19): Debian's chromium,
headless, through chromium-driver and python3-selenium (so this file runs
under Debian's /usr/bin/python3, see run.py), against a real dindex. One
server and one browser serve every case, in order; each case leaves a
screenshot in build/ui-shots/."""
import atexit
import glob
import json
import os
import subprocess
import time

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from harness import BUILD, DELIVER, ROOT, Server
from receiver import Receiver
from v1util import push

A = ("alice", "secret1")
SHOTS = os.path.join(BUILD, "ui-shots")
CSP = "default-src 'self'; frame-ancestors 'none'"
# markup in a webhook URL and in an e-mail address (the validators let
# these through): the page must show them as the text they are
EVIL_URL = "http://127.0.0.1:9/<img/src=x/onerror=window.pwned=1>"
EVIL_MAIL = "&ltimg/src=x/onerror=window.pwned=1&gt@example.com"

S = {}  # the one server, browser and receiver of the file


def setup():
    if S:
        return S
    S["rcv"] = Receiver()
    s = Server(ui_dir=os.path.join(ROOT, "src", "ui"), webhook_attempts=1,
               webhook_timeout=2, webhook_allow_networks="127.0.0.0/8")
    s.add_user("alice")
    push(s, "alice/app", A)
    o = webdriver.ChromeOptions()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--window-size=1100,700",
              "--disable-extensions", "--no-first-run"):
        o.add_argument(a)
    o.binary_location = "/usr/bin/chromium"
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    S.update(s=s, d=d, url="http://127.0.0.1:%d/ui/" % s.port)
    atexit.register(teardown)
    os.makedirs(SHOTS, exist_ok=True)
    return S


def teardown():
    S["d"].quit()
    S["rcv"].close()
    S["s"].close()


def wait(cond, timeout=10):
    return WebDriverWait(S["d"], timeout).until(lambda d: cond(d))


def css(sel):
    return S["d"].find_elements(By.CSS_SELECTOR, sel)


def text_of(sel):
    """The rendered text of what sel matches, read in one go (the page
    may re-render between two element lookups)."""
    return S["d"].execute_script(
        "return [...document.querySelectorAll(arguments[0])]"
        ".map((e) => e.innerText).join(' ')", sel)


def wait_text(sel, want):
    try:
        return wait(lambda d: want in text_of(sel))
    except Exception:
        raise AssertionError("%r not in %r: %r" % (want, sel, text_of(sel)))


def shot(name):
    S["d"].save_screenshot(os.path.join(SHOTS, name + ".png"))


def go(page, shows=None):
    d, url = S["d"], S["url"] + "#" + page
    again = d.current_url == url    # no hashchange: render anew
    d.get(url)
    if again:
        d.refresh()
    wait(lambda d: css("#page-" + (shows or page.split("/")[0])))


class NotYet(AssertionError):
    """What a lookup raises while the page has not rendered it yet."""


def settled(fn, timeout=10):
    """fn() again while the page renders under it: a render replaces the
    elements found before it (stale) or has not made them yet."""
    deadline = time.time() + timeout
    while True:
        try:
            return fn()
        except (StaleElementReferenceException, NotYet):
            if time.time() > deadline:
                raise
            time.sleep(0.1)


def fill(form, **values):
    """Fill and submit form (an element, or form_with's finder); the
    submit is the last step, so a retry never submits twice."""
    def once():
        f = form() if callable(form) else form
        for k, v in values.items():
            e = f.find_element(By.NAME, k)
            if e.tag_name == "select":
                e.find_element(By.CSS_SELECTOR,
                               "option[value='%s']" % v).click()
            elif e.get_attribute("type") == "checkbox":
                if bool(v) != e.is_selected():
                    e.click()
            else:
                e.clear()
                e.send_keys(v)
        f.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    settled(once)


def form_with(button_text):
    """A finder of the form whose submit button says button_text."""
    def find():
        for f in css("main form"):
            if f.find_element(By.CSS_SELECTOR,
                              "button[type=submit]").text == button_text:
                return f
        raise NotYet("no form " + button_text)
    return find


def click(row_text, label):
    """The button label in the table row holding row_text."""
    def once():
        for tr in css("main tr"):
            if row_text in tr.text:
                for b in tr.find_elements(By.TAG_NAME, "button"):
                    if b.text == label:
                        return b.click()
        raise NotYet("no %s button by %r" % (label, row_text))
    return settled(once)


def click_link(sel):
    """The first element sel matches, clicked once the page has it."""
    def once():
        links = css(sel)
        if not links:
            raise NotYet("no " + sel)
        links[0].click()
    settled(once)


def log_in(user, password):
    d = S["d"]
    d.get(S["url"])
    f = wait(lambda d: [e for e in css("#login") if e.is_displayed()])[0]
    fill(f, username=user, password=password)


def token():
    s = S["d"].execute_script("return sessionStorage.getItem('dindex.session')")
    return json.loads(s)["token"] if s else None


def api(method, path, tok=None, body=None):
    return S["s"].request(method, path, body=body,
                          auth="Bearer " + tok if tok else None)


def deliver():
    subprocess.run([DELIVER, "-c", S["s"].conf_path], timeout=60,
                   capture_output=True, check=True)


def test_wrong_password_is_refused():
    setup()
    log_in("admin", "not-the-password")
    wait_text("#status", "wrong user name or password")
    assert token() is None and css("#login")[0].is_displayed()
    shot("login")


def test_login_shows_the_repositories_and_tags():
    log_in("admin", S["s"].admin_password)
    wait_text("#page-repos", "alice/app")
    assert len(token()) == 64
    assert not css("#login")[0].is_displayed()
    assert S["d"].get_cookies() == []
    row = settled(lambda: [tr.text for tr in css("#page-repos tbody tr")
                           if "alice/app" in tr.text][0])
    assert "latest" in row and "complete" in row
    assert "alice" in row and "UTC" in row
    shot("repositories")
    q = css("input[name=q]")[0]
    q.send_keys("nosuch")
    wait_text("#page-repos", "no repositories")
    q.clear()
    q.send_keys("app")
    wait_text("#page-repos", "alice/app")


def test_create_a_user_with_a_hostile_email():
    go("users")
    fill(form_with("create user"), username="bobby", password="secret2",
         email=EVIL_MAIL)
    wait_text("#page-users", "bobby")
    wait_text("#page-users", EVIL_MAIL)
    u = api("GET", "/users/bobby", token()).json()
    assert u["email"] == EVIL_MAIL and u["enabled"] and not u["admin"]
    assert not css("main img")
    shot("users")
    click("bobby", "make admin")
    wait(lambda d: api("GET", "/users/bobby", token()).json()["admin"])
    wait(lambda d: css("#page-users"))
    click("bobby", "drop admin")
    wait(lambda d: not api("GET", "/users/bobby", token()).json()["admin"])
    # delete asks first; dismissed, nothing happens
    fill(form_with("create user"), username="carol", password="secret3")
    wait_text("#page-users", "carol")
    click("carol", "delete")
    S["d"].switch_to.alert.dismiss()
    assert api("GET", "/users/carol", token()).status == 200
    click("carol", "delete")
    S["d"].switch_to.alert.accept()
    wait(lambda d: api("GET", "/users/carol", token()).status == 404)
    wait(lambda d: "carol" not in text_of("#page-users"))


def test_grant_and_revoke():
    go("perms/bobby")
    fill(form_with("grant"), repo="alice/app", access="write")
    wait_text("#page-perms", "alice/app")
    path = "/users/bobby/permissions"
    assert api("GET", path, token()).json() == {"alice/app": "write"}
    click("alice/app", "revoke")
    wait_text("#page-perms", "no grants")
    assert api("GET", path, token()).json() == {}
    # who can do what in a namespace: grant there, see it, revoke it
    api("PUT", path, token(), {"repo": "alice/app", "access": "read"})
    fill(form_with("show"), ns="alice")
    wait_text("#page-perms", "Who can do what in alice")
    wait_text("#page-perms", "bobby\talice/app\tread\tgrant")
    wait_text("#page-perms", "admin\t*\tadmin\tadministrator")
    fill(form_with("grant in alice"), who="bobby", repo="alice",
         access="admin")
    wait_text("#page-perms", "bobby\talice\tadmin\tgrant")
    assert api("GET", path, token()).json() == {"alice/app": "read",
                                                "alice": "admin"}
    shot("permissions")
    click("bobby alice admin grant", "revoke")   # in the namespace table
    wait(lambda d: "alice\tadmin\tgrant" not in text_of("#page-perms"))
    assert api("GET", path, token()).json() == {"alice/app": "read"}


def test_webhook_delivery_shows_in_its_history():
    go("hooks/alice/app")
    fill(form_with("add webhook"), url=S["rcv"].url)
    wait_text("#page-hooks", S["rcv"].url)
    (hook,) = api("GET", "/webhooks/alice/app", token()).json()
    click(S["rcv"].url, "ping")
    wait_text("#status", "ping queued")
    deliver()
    assert len(S["rcv"].got) == 1
    click(S["rcv"].url, "history")
    wait_text("#page-hooks", "History of " + hook["id"])
    wait_text("#page-hooks", "200")
    assert "ping" in text_of("#page-hooks table")
    shot("webhooks")


def test_hostile_url_renders_as_text_and_a_failed_delivery_retries():
    fill(form_with("add webhook"), url=EVIL_URL)
    wait_text("#page-hooks", EVIL_URL)
    click(EVIL_URL, "ping")
    wait_text("#status", "ping queued")
    deliver()               # port 9 refuses: one attempt, then failed/
    go("spool")
    wait_text("#page-spool", EVIL_URL)
    wait_text("#page-spool", "ping")
    assert not css("main img")
    assert S["d"].execute_script("return window.pwned") is None
    shot("spool")
    failed = glob.glob(os.path.join(S["s"].dir, "spool", "failed", "*"))
    assert len(failed) == 1
    click(EVIL_URL, "retry")
    wait_text("#status", "requeued")
    wait_text("#page-spool", "no failed deliveries")
    assert glob.glob(os.path.join(S["s"].dir, "spool", "new", "*")) == [
        failed[0].replace("/failed/", "/new/")]


def test_teams_members_and_grants():
    go("teams")
    fill(form_with("create team"), name="devs")
    wait_text("#page-teams", "devs")
    click_link("#page-teams a")
    wait_text("#page-teams", "Team devs")
    fill(form_with("add member"), user="bobby")
    wait_text("#page-teams", "bobby")
    fill(form_with("grant"), repo="alice/app", access="read")
    wait_text("#page-teams", "alice/app")
    t = api("GET", "/teams/devs", token()).json()
    assert t["members"] == ["bobby"] and t["perms"] == {"alice/app": "read"}
    shot("teams")
    # bobby reads alice/app through the team
    bob = api("POST", "/ui/session", body={"username": "bobby",
                                           "password": "secret2"}).json()
    names = [r["name"] for r in api("GET", "/repositories",
                                    bob["token"]).json()]
    assert "alice/app" in names


def test_access_token_is_shown_once():
    go("tokens")
    fill(form_with("create token"), name="ci", scopes="alice:read")
    wait_text("#page-tokens", "copy it now")
    secret = text_of("#new-token")
    assert secret.startswith("dxt_")
    r = S["s"].request("GET", "/repositories", auth=("admin", secret))
    assert [x["name"] for x in r.json()] == ["alice/app"]
    shot("tokens")
    S["d"].refresh()
    wait_text("#page-tokens", "alice:read")
    assert not css("#new-token")


def test_csp_and_headers_on_every_ui_response():
    names = [os.path.basename(p) for p in
             glob.glob(os.path.join(ROOT, "src", "ui", "*"))]
    for target in [""] + names + ["missing.js"]:
        r = S["s"].request("GET", "/ui/" + target)
        assert r.header("content-security-policy") == CSP, target
        assert r.header("x-content-type-options") == "nosniff"
        assert r.header("referrer-policy") == "no-referrer"
    # the page ran under the policy and broke none of it
    logs = S["d"].get_log("browser")
    assert not [m for m in logs if "Content Security Policy" in
                m["message"]], logs


def test_no_request_without_the_bearer_succeeds():
    script = """
        const done = arguments[arguments.length - 1];
        Promise.all(arguments[0].map((p) => fetch(p, {credentials: 'omit'})
            .then((r) => r.status))).then(done);"""
    paths = ["/repositories", "/users", "/spool", "/users/admin/tokens",
             "/users/bobby/permissions", "/webhooks/alice/app"]
    statuses = S["d"].execute_async_script(script, paths)
    assert statuses == [401] * len(paths), statuses
    for p in paths:
        assert api("GET", p, token()).status == 200, p


def test_logout_kills_the_session():
    tok = token()
    css("#logout")[0].click()
    wait(lambda d: css("#login")[0].is_displayed())
    wait_text("#status", "logged out")
    assert token() is None
    assert api("GET", "/repositories", tok).status == 401
    assert api("GET", "/users", tok).status == 401


def test_a_non_admin_session_stays_out_of_admin_routes():
    log_in("alice", "secret1")
    wait_text("#page-repos", "alice/app")
    nav = text_of("#nav")
    assert "Repositories" in nav and "Webhooks" in nav
    assert "Users" not in nav and "Spool" not in nav
    tok = token()
    for method, path in (("GET", "/users"), ("GET", "/spool"),
                         ("GET", "/users/bobby"), ("PUT", "/users/alice/admin"),
                         ("GET", "/users/admin/tokens"), ("POST", "/teams"),
                         ("GET", "/namespaces/admin/permissions")):
        assert api(method, path, tok).status == 403, path
    go("users", shows="repos")  # not offered: the first page instead
    go("hooks/alice/app")
    wait_text("#page-hooks", S["rcv"].url)
    shot("alice-webhooks")


def test_a_namespace_admin_grants_in_her_namespace_only():
    go("perms")     # alice administers her own namespace
    wait_text("#page-perms", "Who can do what in alice")
    wait_text("#page-perms", "team:devs\talice/app\tread")
    fill(form_with("grant in alice"), who="bobby", repo="alice/app",
         access="write")
    wait_text("#page-perms", "bobby\talice/app\twrite")
    assert api("GET", "/users/bobby/permissions", token()).json() == {
        "alice/app": "write"}
    fill(form_with("grant in alice"), who="bobby", repo="admin/x",
         access="read")
    wait_text("#status", "admin on namespace 'admin' required")
    shot("alice-permissions")

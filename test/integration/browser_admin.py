"""Drives the Django admin of clients/django in headless Chromium (Debian's
chromium, chromium-driver and python3-selenium), as staff would use it:
run by browser_admin.sh against a running test server. Prints one
"ok    NAME" or "FAIL  NAME" line per check (the format of lib.bash) and
saves screenshots of the list, an event's diff and an object's history in
the output folder.

    browser_admin.py URL SETUP_JSON OUTPUT_DIR
"""
import json
import os
import sys
import tempfile
import traceback
from urllib.parse import urlparse

from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

PASSWORD = "browser-secret"  # tests/browser_project.py
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=en-US"]

failures = 0


def check(name, expected, actual):
    global failures
    if expected == actual:
        print(f"ok    {name}", flush=True)
    else:
        failures += 1
        print(f"FAIL  {name}\n      expected: {expected!r}\n      actual:   {actual!r}", flush=True)


class Admin:
    def __init__(self, base, out, setup):
        self.base, self.out, self.setup = base.rstrip("/"), out, setup
        self.profile = tempfile.mkdtemp(prefix="eventlog-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = os.environ.get("EVENTLOG_CHROMIUM", "/usr/bin/chromium")
        for flag in FLAGS + [f"--user-data-dir={self.profile}"]:
            options.add_argument(flag)
        service = Service(os.environ.get("EVENTLOG_CHROMEDRIVER", "/usr/bin/chromedriver"),
                          log_path=os.path.join(out, "chromedriver.log"))
        self.driver = webdriver.Chrome(service=service, options=options)
        self.driver.set_page_load_timeout(60)

    def close(self):
        try:
            self.driver.quit()
        finally:
            import shutil

            shutil.rmtree(self.profile, ignore_errors=True)

    # pages
    def get(self, path):
        self.driver.get(self.base + path)
        WebDriverWait(self.driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")

    def path(self):
        return self.driver.current_url[len(self.base):]

    def find(self, selector):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def one(self, selector):
        return WebDriverWait(self.driver, 30).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, selector)))

    def click(self, element):
        """Clicks something that loads a new page, and waits for that page:
        the old document carries a mark the new one lacks (checking the old
        page's elements races with the navigation in chromedriver)."""
        self.driver.execute_script("window.__eventlog_old_page = true")
        element.click()

        def loaded(driver):
            try:
                return driver.execute_script(
                    "return !window.__eventlog_old_page && document.readyState === 'complete'")
            except WebDriverException:  # the page is between documents
                return False

        WebDriverWait(self.driver, 30).until(loaded)

    def texts(self, selector):
        return [element.text.strip() for element in self.find(selector)]

    def messages(self):
        return self.texts("ul.messagelist li")

    def screenshot(self, name, height=None):
        if height:
            full = self.driver.execute_script("return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)")
            self.driver.set_window_size(1400, min(max(full + 140, 700), height))
        path = os.path.join(self.out, name)
        self.driver.save_screenshot(path)
        self.driver.set_window_size(1400, 1000)
        print(f"      screenshot {path}", flush=True)

    def login(self, username):
        self.driver.delete_all_cookies()
        self.get("/admin/login/?next=/admin/")
        self.one("#id_username").send_keys(username)
        self.one("#id_password").send_keys(PASSWORD)
        self.click(self.one("#login-form [type=submit]"))

    # the log's pages
    def log_path(self, suffix=""):
        return f"/admin/{self.setup['log_app']}/eventlog/{suffix}"

    def listed_ids(self):
        """The ids of the events the list shows (from their links)."""
        ids = []
        for link in self.find("#result_list tbody th a"):
            ids.append(int(urlparse(link.get_attribute("href")).path.rstrip("/").split("/")[-2]))
        return ids

    def filter_link(self, title, text):
        """The link of filter `title` (tool, action, ...) whose text is `text`,
        and the texts of all its links (Django 3.2 heads each filter with an
        h3, later versions put it in a details element)."""
        links = self.driver.find_elements(
            By.XPATH, f"//*[@id='changelist-filter']//details[@data-filter-title='{title}']//a"
            f" | //*[@id='changelist-filter']//h3[normalize-space()='By {title}']/following-sibling::ul[1]//a")
        texts = [link.text.strip() for link in links]
        return next((link for link in links if link.text.strip() == text), None), texts


def run(admin, setup):
    document = setup["document"]
    history = f"/admin/example/document/{document}/history/"

    # 1. staff logs in and finds an event by filter and search
    admin.login("clerk")
    check("logged in as staff (the admin's index)", True, bool(admin.find("#site-name")) and admin.path() == "/admin/")
    admin.get(admin.log_path())
    check("the log's list shows events", True, len(admin.listed_ids()) >= setup["document_events"])
    link, tools = admin.filter_link("tool", "approvals")
    check("the tool filter offers the app's tool", True, link is not None)
    if link is not None:
        admin.click(link)
    check("filtered by tool: the approval event only", [setup["approval"]], admin.listed_ids())
    admin.get(admin.log_path())
    box = admin.one("#searchbar")
    box.send_keys("approved")
    admin.click(admin.one("#changelist-search [type=submit]"))
    check("searched by message: the approval event", [setup["approval"]], admin.listed_ids())
    row_text = " ".join(admin.texts("#result_list tbody tr"))
    check("the row shows the message and the actor", True, "Quarterly report v3 was approved by Big Boss." in row_text
          and "Big Boss" in row_text)
    admin.get(admin.log_path())
    link, actors = admin.filter_link("actor", "Big Boss (boss)")
    check("the actor filter offers users by name and username", True, link is not None and "Carl Clerk (clerk)" in actors)
    if link is not None:
        admin.click(link)
    check("filtered by actor (the user's key): the boss's events", [setup["approval"], setup["older_title_update"]],
          admin.listed_ids())
    admin.get(admin.log_path(f"?action=update&q={document}"))
    check("filtered by action and searched by object id: the document's updates", True,
          {setup["older_title_update"], setup["status_update"], setup["newest_title_update"]} <= set(admin.listed_ids()))
    admin.get(admin.log_path("?object_type=public.example_document"))
    admin.screenshot("list.png")

    # 2. an event's page: the diff as an old-to-new table, links to the object and its history
    admin.get(admin.log_path(f"{setup['status_update']}/change/"))
    rows = [[cell.text.strip() for cell in row.find_elements(By.CSS_SELECTOR, "th, td")]
            for row in admin.find("table.eventlog-changes tbody tr")]
    check("the event's diff as a table (field, old, new)", [["Status", "draft", "review"]], rows)
    check("the event's actor is the role psql ran as, with no key", ("postgres", "-"),
          (next(iter(admin.texts(".field-actor_link .readonly")), None), next(iter(admin.texts(".field-actor_id .readonly")), None)))
    object_links = [a.get_attribute("href") for a in admin.find(".field-object_link a")]
    check("the event links to the object's admin page and history", True,
          any(h.endswith(f"/admin/example/document/{document}/change/") for h in object_links)
          and any(h.endswith(history) for h in object_links))
    admin.screenshot("diff.png")

    # 3. the object's history, reached from its change form's History link
    admin.get(f"/admin/example/document/{document}/change/")
    admin.click(admin.one("a.historylink"))
    check("the change form's History link opens the log's history", history, admin.path())
    shown = [int(row.get_attribute("data-event")) for row in admin.find("tr.eventlog-event")]
    check("the history lists every client's events, newest first", True,
          shown[:1] == [setup["approval"]] and shown == sorted(shown, reverse=True) and len(shown) == 5)
    sources = " ".join(admin.texts("tr.eventlog-event"))
    check("the history shows the app, the ORM under a user and psql", True,
          all(text in sources for text in ("approved by Big Boss", "Carl Clerk", "Big Boss", "postgres")))
    check("the count is the extension's", "5 events", (admin.texts(".eventlog-count") or [""])[0])
    admin.screenshot("history.png", height=1800)

    # 4. revert: the older title change is refused (the row changed since), the newest is undone
    def revert(event_id):
        button = admin.one(f"tr#event-{event_id} button[name=revert]")
        admin.click(button)

    revert(setup["older_title_update"])
    check("the refusal for a row changed since, as an admin message", True,
          any("changed since (title)" in m for m in admin.messages()))
    check("the refusal is an error message on the history page, not a 500", (history, ["error"]),
          (admin.path(), [li.get_attribute("class") for li in admin.find("ul.messagelist li")]))
    admin.screenshot("refused.png")
    revert(setup["newest_title_update"])
    check("the newest title change is reverted", True,
          any(m.startswith(f"Event {setup['newest_title_update']} (update) was reverted") for m in admin.messages()))
    admin.get(f"/admin/example/document/{document}/change/")
    check("the document has its former title again", "Quarterly report v2", admin.one("#id_title").get_attribute("value"))
    admin.get(history)
    newest = admin.find("tr.eventlog-event")[0]
    check("the revert is the newest event, by the staff user", ("Carl Clerk", "update"),
          (newest.find_element(By.CSS_SELECTOR, ".eventlog-actor").text.strip(),
           newest.find_element(By.CSS_SELECTOR, ".eventlog-action").text.strip().split("\n")[0]))

    # 5. staff without view permission on documents see none of their events
    admin.login("outsider")
    admin.get(admin.log_path("?all="))
    objects = " ".join(admin.texts("#result_list td.field-object_column"))
    check("the outsider's list has events (the certificate's)", True, "Certificate" in objects)
    check("the outsider's list has no document event", False, "Document" in objects)
    _, types = admin.filter_link("object type", "Documents (example)")
    check("the object type filter does not offer documents", False, "Documents (example)" in types)
    admin.get(admin.log_path("?object_type=public.example_document"))
    check("filtering on documents finds nothing", [], admin.listed_ids())
    admin.get(admin.log_path(f"{setup['status_update']}/change/"))
    check("a document event's page is not shown", False, bool(admin.find("table.eventlog-changes")))
    admin.get(history)
    check("the document's history is forbidden", True, "403" in admin.driver.title or "Forbidden" in admin.driver.page_source)


def main():
    base, setup_json, out = sys.argv[1:4]
    setup = json.loads(setup_json)
    os.makedirs(out, exist_ok=True)
    try:
        admin = Admin(base, out, setup)
    except WebDriverException as error:
        check("start chromium through chromedriver", "started", str(error).splitlines()[0])
        return 1
    try:
        run(admin, setup)
    except Exception:  # noqa: BLE001 - a step that could not run is a failed check
        traceback.print_exc()
        try:
            admin.screenshot("failure.png")
        except Exception:  # noqa: BLE001
            pass
        check("the browser steps ran to the end", "done", "exception (see above)")
    finally:
        admin.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

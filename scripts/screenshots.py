"""Save every page of the dashboard at 1366x768 (laptop), 1920x1080 (projector) and 390x844 (phone).

    make screenshots            # the demo pool, pages as they open
    python -m scripts.screenshots --db data/pool.duckdb --out build/screenshots

Serves the pool with the real server on a free local port, opens each page in headless
Chromium (Selenium + the system chromedriver), waits until the page's figures have arrived,
and saves PNGs to --out (desktop/, projector/ and phone/). The pages a member opens first are
saved again signed in as the demo's Nordlys Aid account (member-*.png): their own organisation
is the default focus there. With --docs, the desktop shots are also written as compact WebP
files for the README (docs/screenshots/).
"""

from __future__ import annotations

import argparse
import base64
import os
import subprocess
import sys
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from scripts.serving import free_port, start

ROOT = Path(__file__).resolve().parent.parent
# (file name, path and query): each page, plus views a presenter would show.
SHOTS = (
    ("overview", "/"),
    ("outreach", "/outreach"),
    ("efficiency", "/efficiency"),
    ("performance", "/performance"),
    ("themes", "/themes"),
    ("compare", "/compare"),
    # the indicator explorer (issue 32): two organisations and a country against the network
    ("explore", "/explore?country=UGA&organisation=Nordlys+Aid&organisation=Fjord+Partners"),
    ("projects", "/projects?organisation=Nordlys+Aid"),
    ("report", "/report?project=BDI-FJO-02"),
    ("sdg", "/sdg"),
    ("data", "/data"),
    ("glossary", "/glossary"),
    ("login", "/login"),
    ("overview-uganda-dkk", "/?country=UGA&currency=DKK"),
    # the languages (issue 7): a board deck in Danish, a partner's view in French
    ("overview-danish", "/?lang=da"),
    ("outreach-french", "/outreach?country=MLI&country=NER&lang=fr"),
    # presentation mode, as the back row of a hall sees it
    ("present-headline-danish", "/present?lang=da#1"),
    ("present-map-danish", "/present?lang=da#3"),
    ("present-women-danish", "/present?lang=da#4"),
    ("present-replication", "/present#5"),
)
# signed in as a member of the demo (its public account), the pages that open on their own
# organisation
MEMBER = ("nordlys-aid", "demo-nordlys-aid")
MEMBER_SHOTS = (
    ("member-overview", "/"),
    ("member-performance", "/performance"),
    ("member-compare", "/compare"),
    ("member-projects", "/projects"),
    # the trainer report of the member's organisation (issue 29), scrolled to
    ("member-trainers", "/projects#pj-trainers-card"),
    # a board pack (issue 31): its cost per member, the network's members, women by country
    (
        "member-pack",
        "/pack?title=Board+meeting&item=ef-trend:%3Forganisation%3DNordlys%2520Aid"
        "&item=ov-trend:&item=or-shares:%3Fby%3Dcountry",
    ),
)
MEMBER_DOCS = ("member-trainers", "member-pack")  # also written for the README
SIZES = {"desktop": (1366, 768), "projector": (1920, 1080), "phone": (390, 844)}


def serve(db: Path, port: int) -> subprocess.Popen[bytes]:
    return start(
        [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(port)],
        f"http://127.0.0.1:{port}/",
        cwd=ROOT,
        env=dict(os.environ, VSLA_DB=str(db)),
        failure="The dashboard did not start; is the pool there? Try `make demo`.",
    )


def browser(width: int, height: int) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROME_BIN", "/usr/bin/chromium")
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--window-size={width},{height}",
    ):
        options.add_argument(arg)
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    # The viewport, not the window, is what must measure width x height.
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    return driver


def capture(driver: webdriver.Chrome, url: str, fmt: str = "png") -> bytes:
    driver.get(url)
    wait = WebDriverWait(driver, 30)
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".page-title")))
    if "/present" in url:  # the slides: the one of the link's #fragment, drawn
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".present-slide.active")))
        wait.until(lambda d: d.find_element(By.ID, "present-counter").text.strip())
    elif "/report" in url:  # the report is drawn inside a frame
        wait.until(ec.frame_to_be_available_and_switch_to_it((By.CSS_SELECTOR, "#rp-preview")))
        WebDriverWait(driver, 60).until(ec.presence_of_element_located((By.CSS_SELECTOR, "h1")))
        driver.switch_to.default_content()
    elif "/pack" in url:  # the pack's cards, the first drawn
        wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".pk-card .main-svg")))
    elif not any(page in url for page in ("/glossary", "/login", "/import")):
        # the caption ends with the as-of date once the data have arrived (in any language)
        # (a card shown on one screen width only has no visible text on the other)
        wait.until(
            lambda d: any(
                e.text.strip() for e in d.find_elements(By.CSS_SELECTOR, ".chart-caption")
            )
        )
    if "#" in url and "/present" not in url:  # a section of the page: shown at the top
        driver.execute_script(
            "const e = document.getElementById(arguments[0]);"
            "if (e) { e.scrollIntoView(); e.blur(); }",
            url.split("#", 1)[1],
        )
    time.sleep(1.5)  # let plotly finish drawing and the loading indicators go
    # The chart toolbars appear on hover only; a still picture should not show them.
    driver.execute_script(
        "const s = document.createElement('style');"
        "s.textContent = '.modebar-container { display: none !important; }';"
        "document.head.appendChild(s);"
    )
    params = {"format": fmt}
    if fmt != "png":
        params["quality"] = 82
    data = driver.execute_cdp_cmd("Page.captureScreenshot", params)["data"]
    return base64.b64decode(data)


def sign_in(driver: webdriver.Chrome, base: str, username: str, password: str) -> None:
    driver.get(f"{base}/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, 30).until(lambda d: "/login" not in d.current_url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=ROOT / "data" / "pool.duckdb")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "screenshots")
    parser.add_argument("--docs", type=Path, help="also write desktop WebP files here")
    args = parser.parse_args(argv)
    port = free_port()
    proc = serve(args.db, port)
    try:
        for size, (width, height) in SIZES.items():
            folder = args.out / size
            folder.mkdir(parents=True, exist_ok=True)
            driver = browser(width, height)
            try:
                base = f"http://127.0.0.1:{port}"
                for name, path in SHOTS:
                    url = base + path
                    (folder / f"{name}.png").write_bytes(capture(driver, url))
                    if args.docs and size == "desktop":
                        args.docs.mkdir(parents=True, exist_ok=True)
                        (args.docs / f"{name}.webp").write_bytes(capture(driver, url, "webp"))
                    print(f"{size:9s} {name}", flush=True)
                sign_in(driver, base, *MEMBER)
                for name, path in MEMBER_SHOTS:
                    (folder / f"{name}.png").write_bytes(capture(driver, base + path))
                    if args.docs and size == "desktop" and name in MEMBER_DOCS:
                        webp = capture(driver, base + path, "webp")
                        (args.docs / f"{name}.webp").write_bytes(webp)
                    print(f"{size:9s} {name}", flush=True)
            finally:
                driver.quit()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"Saved to {args.out}" + (f" and {args.docs}" if args.docs else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

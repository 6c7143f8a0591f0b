"""The review report for a large run: size, build time, and how fast headless Chromium opens it.

1,000 articles (the seed and dev articles cycled, each its own ``doc_id``) run on the rules
backend; ``llm-extract report`` writes the page; Chromium (Debian ``chromium`` +
``chromium-driver``, via selenium) loads it from disk. Reported: page size, build seconds, time
from navigation start until the page is ready (first article rendered), and the time to switch
to the last article.

    python scripts/bench_report.py [--articles 1000]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args()
    from selenium import webdriver
    from selenium.webdriver.support.ui import WebDriverWait

    sys.path.insert(0, str(ROOT / "scripts"))
    from bench_rules import make_inputs

    with tempfile.TemporaryDirectory() as tmp:
        inputs = make_inputs(Path(tmp) / "in", args.articles)
        out = Path(tmp) / "out.jsonl"
        cli = [sys.executable, "-m", "llm_extract"]
        subprocess.run([*cli, "run", str(inputs), "-o", str(out), "--backend", "rules", "-q"], check=True)
        page = Path(tmp) / "report.html"
        start = time.perf_counter()
        subprocess.run([*cli, "report", str(out), "--sources", str(inputs), "-o", str(page)], check=True)
        build = time.perf_counter() - start
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "chromium"
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--disable-background-networking", "--window-size=1400,900"):  # fmt: skip
            options.add_argument(flag)
        service = webdriver.ChromeService(executable_path=shutil.which("chromedriver") or "chromedriver")
        driver = webdriver.Chrome(service=service, options=options)
        try:
            driver.get(page.as_uri())
            WebDriverWait(driver, 120).until(lambda d: d.execute_script("return document.body.dataset.ready === '1'"))
            ready_ms = driver.execute_script("return performance.now()")
            switch_ms = driver.execute_script(
                "const t0 = performance.now(); const items = document.querySelectorAll('#docs li');"
                "items[items.length - 1].click(); document.querySelector('#view pre.raw').offsetHeight;"
                "return performance.now() - t0;"
            )
        finally:
            driver.quit()
        size = page.stat().st_size
    print("| articles | page MB | build s | ready in browser s | switch article ms |")
    print("|---|---|---|---|---|")
    print(f"| {args.articles} | {size / 1e6:.1f} | {build:.1f} | {ready_ms / 1000:.2f} | {switch_ms:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

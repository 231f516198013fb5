"""Refresh the translations after changing the interface's texts.

    python docs/update_translations.py

1. pyside6-lupdate collects every tr() text of digitpad/gui into the .ts file;
2. the translations in docs/zh_CN.py fill it in (a text without one fails, listed);
3. pyside6-lrelease compiles the .ts into the .qm file the app loads.
Both files are committed, so installing digitpad needs no Qt tools.
"""

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from zh_CN import ZH_CN

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "digitpad" / "gui" / "i18n" / "digitpad_zh_CN.ts"


def tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).with_name(name))
    return found


def main() -> int:
    sources = sorted(str(p) for p in (ROOT / "digitpad" / "gui").glob("*.py"))
    subprocess.run([tool("pyside6-lupdate"), *sources, "-no-obsolete", "-ts", str(TS)], check=True)
    tree = ET.parse(TS)
    missing = []
    for message in tree.iter("message"):
        source = message.find("source").text
        translation = message.find("translation")
        if source not in ZH_CN:
            missing.append(source)
            continue
        translation.text = ZH_CN[source]
        translation.attrib.pop("type", None)
    tree.write(TS, encoding="utf-8", xml_declaration=True)
    if missing:
        print("no translation for:", *missing, sep="\n  ")
        return 1
    subprocess.run([tool("pyside6-lrelease"), str(TS), "-qm", str(TS.with_suffix(".qm"))], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build sim/present/fonts/gridmuster-cjk.ttf: WenQuanYi Micro Hei (Apache-2.0) subset to
GBK (its 20,923 汉字 as Python's codec maps them — GB2312's 6,763 常用汉字 and the rarer
characters of place and personal names, such as 垟, 溇, 堃 — and its symbols) + Latin + every
character in the project's catalogues.

Run from the repository: python tools/make_cjk_font.py . (needs fonts-wqy-microhei
and fontTools; only to rebuild the shipped file).
"""
import pathlib
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection

FAMILY = "Gridmuster CJK"
src = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
chars = set()
for hi in range(0x81, 0xFF):
    for lo in range(0x40, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gbk"))
        except UnicodeDecodeError:
            pass
chars |= {chr(c) for c in range(0x20, 0x250)}
chars |= {chr(c) for c in range(0x2000, 0x2070)} | {chr(c) for c in range(0x2190, 0x2200)}
chars |= {chr(c) for c in range(0x3000, 0x3040)} | {chr(c) for c in range(0xFF00, 0xFFF0)}
chars |= set("≥≤×–—…·℃²³°±√∞")
root = pathlib.Path(sys.argv[1])
for p in list(root.glob("sim/**/*.po")) + list(root.glob("scenarios/*.yaml")) + list(root.glob("dashboard/**/*.py")):
    chars |= set(p.read_text(encoding="utf-8"))
chars = {c for c in chars if c.isprintable()}
col = TTCollection(src)
font = col.fonts[0]
opts = subset.Options()
opts.name_IDs = ["*"]; opts.name_legacy = True; opts.name_languages = ["*"]
opts.notdef_outline = True; opts.glyph_names = False; opts.hinting = False
opts.layout_features = ["*"]
sub = subset.Subsetter(opts)
sub.populate(text="".join(sorted(chars)))
sub.subset(font)
# A family name of its own, so matplotlib never confuses it with an installed WenQuanYi.
for rec in font["name"].names:
    if rec.nameID in (1, 4, 16):
        rec.string = FAMILY
    elif rec.nameID == 6:
        rec.string = FAMILY.replace(" ", "")
    elif rec.nameID == 3:
        rec.string = FAMILY + " subset"
out = root / "sim/present/fonts/gridmuster-cjk.ttf"
font.save(str(out))
# The dashboard serves its own copy (Streamlit's static serving refuses symlinks out of
# dashboard/static); tests/test_dashboard_imports.py checks the two are the same bytes.
(root / "dashboard/static/gridmuster-cjk.ttf").write_bytes(out.read_bytes())
print(len(chars), out.stat().st_size)

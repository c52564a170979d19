#!/usr/bin/env bash
# Regenerates the fast fonts HotichSerifVN-{Regular,Bold,Italic}.ttf from
# the Liberation Serif files beside this script: reduced to the characters
# of vn-serif.unicodes (written by the extract tests, see README.md), and
# renamed, as the SIL Open Font License asks of a modified font whose
# original has a reserved name ("Liberation").
#
# Needs fontTools (Debian: apt-get install python3-fonttools). Run from
# this folder, then: go test ./extract -run TestVNFonts -update-fonts
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-/usr/bin/python3}
for style in Regular Bold Italic; do
	"$PY" -m fontTools.subset "LiberationSerif-$style.ttf" \
		--unicodes-file=vn-serif.unicodes \
		--layout-features='' --no-hinting --glyph-names --notdef-outline \
		--name-IDs='*' --name-languages='*' \
		--output-file="HotichSerifVN-$style.ttf"
	"$PY" - "HotichSerifVN-$style.ttf" <<'PYEOF'
import sys
from fontTools.ttLib import TTFont
path = sys.argv[1]
font = TTFont(path)
for rec in font["name"].names:
    if rec.nameID in (1, 3, 4, 6, 16, 17, 18, 21):
        s = rec.toUnicode()
        s = s.replace("Liberation Serif", "Hotich Serif VN").replace("LiberationSerif", "HotichSerifVN")
        rec.string = s
font.save(path)
PYEOF
done

"""Write areas/data/succession-35-ha-nam.json: old Hà Nam communes → new Ninh Bình communes.

Run once by hand against an unpacked `vietnamadminunits` wheel (the package is not a dependency:
it pulls shapely and geopy, and keys its mapping by names, not codes):

    pip download --no-deps vietnamadminunits==1.0.4 && unzip vietnamadminunits-1.0.4-*.whl -d pkg
    python tools/succession_from_vietnamadminunits.py pkg/vietnamadminunits/data

The package maps each new ward (by name key) to the old wards merged into it, and lists apart the
old wards divided between several new ones, with the new ward that takes them by default. Its
legacy table gives the old GSO codes, its current table the new ones.
"""

import json
import sqlite3
import sys
import unicodedata
from pathlib import Path

from vietnam_provinces import ProvinceCode, Ward

OLD_PROVINCE, NEW_PROVINCE = "35", "37"
OUT = Path(__file__).resolve().parent.parent / "areas" / "data" / "succession-35-ha-nam.json"


def name_key(name: str) -> str:
    """ "Phường Nguyễn Úy" and "Phường Nguyễn Uý" alike: "phuongnguyenuy"."""
    bare = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in bare.lower() if c.isalnum() and not unicodedata.combining(c))


def main(data_dir: Path) -> None:
    mapping = json.loads((data_dir / "converter_2025.json").read_text(encoding="utf-8"))
    db = sqlite3.connect(data_dir / "dataset.db")
    old_key = db.execute(
        "SELECT provinceKey FROM admin_units_legacy WHERE provinceCode = ?", [OLD_PROVINCE]
    ).fetchone()[0]
    new_key = db.execute(
        "SELECT provinceKey FROM admin_units WHERE provinceCode = ?", [NEW_PROVINCE]
    ).fetchone()[0]
    old_codes = {
        f"{p}_{d}_{w}": (code, name)
        for p, d, w, code, name in db.execute(
            "SELECT provinceKey, districtKey, wardKey, wardCode, ward FROM admin_units_legacy "
            "WHERE provinceCode = ?",
            [OLD_PROVINCE],
        )
    }
    new_codes = {
        w: (code, name)
        for w, code, name in db.execute(
            "SELECT wardKey, wardCode, ward FROM admin_units WHERE provinceCode = ?",
            [NEW_PROVINCE],
        )
    }
    # The package's codes of three Phủ Lý wards are permuted against the tree the project loads
    # (vietnam-provinces: 13285 is Phường Châu Sơn): take the new code from that tree, by name.
    tree = {
        name_key(w.name): str(int(w.code)).zfill(5)
        for w in Ward.iter_by_province(ProvinceCode(int(NEW_PROVINCE)))
    }
    new_codes = {key: (tree[name_key(name)], name) for key, (_code, name) in new_codes.items()}
    rows = []
    for new_ward, olds in mapping["DICT_PROVINCE_WARD_NO_DIVIDED"][new_key].items():
        for old in olds:
            if old in old_codes:
                rows.append((old, new_ward, True))
    for old, news in mapping["DICT_PROVINCE_WARD_DIVIDED"].get(new_key, {}).items():
        if old in old_codes:
            rows.extend((old, n["newWardKey"], bool(n["isDefaultNewWard"])) for n in news)
    communes = [
        {
            "from": old_codes[old][0],
            "from_name": old_codes[old][1],
            "to": new_codes[new][0],
            "to_name": new_codes[new][1],
            "default": default,
        }
        for old, new, default in sorted(rows, key=lambda r: (old_codes[r[0]][0], r[1]))
    ]
    assert old_key in mapping["DICT_PROVINCE"][new_key]
    assert len({c["from"] for c in communes}) == len(old_codes), "an old commune has no successor"
    payload = {
        "source": "vietnamadminunits 1.0.4 (PyPI, MIT licence), data/converter_2025.json and "
        "data/dataset.db, new codes matched by name to vietnam-provinces 2025.10.1; not checked "
        "against the resolutions of the Standing Committee",
        "from_edition": "vn-legacy",
        "to_edition": "vn-2025",
        "provinces": [{"from": OLD_PROVINCE, "to": NEW_PROVINCE}],
        "communes": communes,
    }
    OUT.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{OUT.name}: {len(communes)} rows, {len(old_codes)} old communes")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

"""Citizen ID (CCCD) checks: 12 digits, province of registration, century/sex digit, birth year.

Pure Python, no Django: the form, the import and the service all call `citizen_id_errors`.
Layout (Thông tư 59/2021/TT-BCA): PPP G YY NNNNNN — PPP the province code of the 63 provinces before
the 2025 merger (zero-padded GSO code), G the century and sex (0/1 male/female born 1900–1999,
2/3 born 2000–2099, 4/5 2100–2199...), YY the last two digits of the birth year.
"""

import re

# The 63 pre-2025 provinces (GSO codes, zero-padded to three digits); names for the messages.
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang",
    "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái",
    "017": "Hoà Bình", "019": "Thái Nguyên", "020": "Lạng Sơn", "022": "Quảng Ninh",
    "024": "Bắc Giang", "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương",
    "031": "Hải Phòng", "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình",
    "045": "Quảng Trị", "046": "Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi",
    "052": "Bình Định", "054": "Phú Yên", "056": "Khánh Hòa", "058": "Ninh Thuận",
    "060": "Bình Thuận", "062": "Kon Tum", "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông",
    "068": "Lâm Đồng", "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương",
    "075": "Đồng Nai", "077": "Bà Rịa - Vũng Tàu", "079": "Hồ Chí Minh", "080": "Long An",
    "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long",
    "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip

_TWELVE_DIGITS = re.compile(r"\d{12}")


def normalize_citizen_id(raw: str) -> str:
    """Drop the spaces, dots and dashes people type between groups of digits."""
    return re.sub(r"[\s.\-]", "", raw or "")


def century_sex_digit(sex: str, birth_year: int) -> int:
    century_index = (birth_year - 1900) // 100
    return century_index * 2 + (1 if sex == "female" else 0)


def citizen_id_errors(citizen_id: str, *, sex: str | None, birth_year: int | None) -> list[str]:
    """Vietnamese messages for every check the ID fails; empty when it is consistent."""
    if not _TWELVE_DIGITS.fullmatch(citizen_id):
        return ["Số CCCD phải gồm đúng 12 chữ số."]
    errors = []
    province = citizen_id[:3]
    if province not in PROVINCE_CODES:
        errors.append(
            f"Ba số đầu của CCCD ({province}) không phải mã tỉnh nơi đăng ký khai sinh hợp lệ."
        )
    digit = int(citizen_id[3])
    if birth_year is not None and birth_year >= 1900 and sex in {"male", "female"}:
        expected = century_sex_digit(sex, birth_year)
        if digit != expected:
            sex_vi = "nữ" if sex == "female" else "nam"
            errors.append(
                f"Chữ số thứ tư của CCCD ({digit}) không khớp giới tính {sex_vi} và năm sinh "
                f"{birth_year} (phải là {expected})."
            )
        if citizen_id[4:6] != f"{birth_year % 100:02d}":
            errors.append(
                f"Chữ số thứ 5–6 của CCCD ({citizen_id[4:6]}) không khớp năm sinh {birth_year}."
            )
    return errors

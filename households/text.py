"""Search keys for Vietnamese names: "Nguyễn Văn A" and "nguyen van a" give "nguyen van a"."""

import unicodedata


def search_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(stripped.casefold().split())


def normalize_name(text: str) -> str:
    """One space between words, composed Unicode (NFC), as typed otherwise."""
    return " ".join(unicodedata.normalize("NFC", text).split())

"""Column definitions shared by the importer, the exporter and the templates.

Three kinds of file: parks, enterprises and monthly flows.  Each column has a
machine key, a Vietnamese and an English header, whether it is required and a
value type.  Headers are matched in either language, ignoring case,
diacritics, punctuation and a trailing note in parentheses, so that
"Mã số thuế", "ma so thue", "Tax code" and "tax_code" all name one column.

Choice values (direction, origin, fate, ...) are written in the file's
language and read in either language or as the machine code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from eiphub.core.catalogue import fold

# Value types understood by the importer.
STR, INT, DECIMAL, FLOAT, DATE, PERIOD, BOOL, CHOICE, TAX_CODE = (
    "str", "int", "decimal", "float", "date", "period", "bool", "choice", "tax_code",
)  # fmt: skip


@dataclass(frozen=True)
class Choice:
    value: str
    vi: str
    en: str
    aliases: tuple[str, ...] = ()

    def label(self, lang: str) -> str:
        return self.en if (lang or "vi").startswith("en") else self.vi


@lru_cache(maxsize=64)
def _choice_map(choices: tuple[Choice, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in choices:
        for text in (c.value, c.vi, c.en, *c.aliases):
            if text:
                out.setdefault(fold(text), c.value)
    return out


@dataclass(frozen=True)
class Column:
    key: str
    vi: str
    en: str
    required: bool = False
    type: str = STR
    choices: tuple[Choice, ...] = ()
    info: bool = False  # written on export for readability, ignored on import
    aliases: tuple[str, ...] = ()
    help_vi: str = ""
    help_en: str = ""

    def header(self, lang: str) -> str:
        return self.en if (lang or "vi").startswith("en") else self.vi

    def help(self, lang: str) -> str:
        return self.help_en if (lang or "vi").startswith("en") else self.help_vi

    def choice_map(self) -> dict[str, str]:
        """Folded label/code/alias -> machine value."""
        return _choice_map(self.choices)

    def choice_label(self, value: str, lang: str) -> str:
        for c in self.choices:
            if c.value == value:
                return c.label(lang)
        return value or ""


@dataclass(frozen=True)
class Kind:
    key: str
    sheet_vi: str
    sheet_en: str
    columns: tuple[Column, ...]
    sheet_aliases: tuple[str, ...] = ()
    _by_key: dict = field(default_factory=dict, compare=False, repr=False)

    def sheet_name(self, lang: str) -> str:
        return self.sheet_en if (lang or "vi").startswith("en") else self.sheet_vi

    def column(self, key: str) -> Column:
        if not self._by_key:
            self._by_key.update({c.key: c for c in self.columns})
        return self._by_key[key]

    def headers(self, lang: str) -> list[str]:
        return [c.header(lang) for c in self.columns]

    def match_header(self, text) -> Column | None:
        """The column named by header ``text`` (either language), or None."""
        index = _header_index(self)
        key = fold(text)
        if key in index:
            return index[key]
        bare = fold(re.sub(r"\([^)]*\)", " ", str(text or "")))
        return index.get(bare)


_INDEX_CACHE: dict[str, dict[str, Column]] = {}


def _header_index(kind: Kind) -> dict[str, Column]:
    if kind.key not in _INDEX_CACHE:
        index: dict[str, Column] = {}
        for c in kind.columns:
            for label in (c.key, c.vi, c.en, *c.aliases):
                index.setdefault(fold(label), c)
                index.setdefault(fold(re.sub(r"\([^)]*\)", " ", label)), c)
        _INDEX_CACHE[kind.key] = index
    return _INDEX_CACHE[kind.key]


YES_NO = (
    Choice("yes", "Có", "Yes", ("true", "1", "x", "co")),
    Choice("no", "Không", "No", ("false", "0", "khong")),
)

DIRECTIONS = (
    Choice("in", "vào", "in", ("đầu vào", "input", "nhập", "tiêu thụ")),
    Choice("out", "ra", "out", ("đầu ra", "output", "xả", "phát sinh")),
)
ORIGINS = (
    Choice("purchased", "Mua", "Purchased", ("mua ngoài", "buy", "bought")),
    Choice("own", "Tự sản xuất", "Own source", ("tự có", "tự khai thác", "own", "self")),
    Choice(
        "other_enterprise",
        "Từ doanh nghiệp khác",
        "From another enterprise",
        ("doanh nghiệp khác", "other enterprise", "cộng sinh", "symbiosis"),
    ),
)
FATES = (
    Choice("reused", "Tái sử dụng", "Reused", ("tái chế", "tái sử dụng / tái chế", "recycled")),
    Choice("energy_recovery", "Thu hồi năng lượng", "Energy recovery", ("đốt thu hồi năng lượng",)),
    Choice("treatment", "Xử lý", "Treatment", ("xử lý chất thải", "treated")),
    Choice("landfill", "Chôn lấp", "Landfill", ("bãi chôn lấp",)),
    Choice("discharge", "Xả thải", "Discharge", ("xả ra môi trường", "discharged")),
    Choice("sold", "Bán / chuyển giao", "Sold", ("bán", "chuyển giao", "given", "sold / given")),
)
DATA_QUALITIES = (
    Choice("measured", "Đo đạc", "Measured", ("đo", "đồng hồ", "meter")),
    Choice("invoice", "Hóa đơn", "Invoice", ("hoá đơn", "bill")),
    Choice("estimated", "Ước tính", "Estimated", ("ước lượng", "estimate")),
)
PARK_STATUSES = (
    Choice("planned", "Quy hoạch", "Planned", ("đang quy hoạch",)),
    Choice("operating", "Đang hoạt động", "Operating", ("hoạt động",)),
)
ECO_STATUSES = (
    Choice("none", "Chưa phải KCN sinh thái", "Not an EIP", ("không", "")),
    Choice("transforming", "Đang chuyển đổi", "Transforming", ("chuyển đổi",)),
    Choice("registered_new", "Đăng ký mới", "Registered as new", ("xây dựng mới",)),
    Choice("certified", "Đã chứng nhận", "Certified", ("chứng nhận",)),
    Choice("revoked", "Bị thu hồi", "Revoked", ("thu hồi chứng nhận",)),
)
SIZES = (
    Choice("sme", "Vừa và nhỏ", "SME", ("dnnvv", "nhỏ và vừa", "small")),
    Choice("large", "Lớn", "Large", ("doanh nghiệp lớn",)),
)
OWNERSHIPS = (
    Choice("fdi", "FDI", "FDI", ("vốn nước ngoài", "foreign", "nước ngoài")),
    Choice("domestic", "Trong nước", "Domestic", ("nội địa", "việt nam", "local")),
)


FLOWS = Kind(
    key="flows",
    sheet_vi="Số liệu tháng",
    sheet_en="Monthly flows",
    sheet_aliases=("flows", "dòng vật chất", "so lieu", "số liệu", "data"),
    columns=(
        Column(
            "tax_code",
            "Mã số thuế",
            "Tax code",
            type=TAX_CODE,
            aliases=("MST", "mã số thuế doanh nghiệp"),
            help_vi="MST của doanh nghiệp (10 hoặc 13 số). Để trống với dòng của công trình dùng chung.",
            help_en="Enterprise tax code (10 or 13 digits). Leave empty for shared-facility rows.",
        ),
        Column(
            "enterprise_name",
            "Tên doanh nghiệp",
            "Enterprise name",
            info=True,
            help_vi="Chỉ để đọc; không được nhập.",
            help_en="For reading only; ignored on import.",
        ),
        Column(
            "park",
            "Mã KCN",
            "Park code",
            aliases=("khu công nghiệp", "park"),
            help_vi="Bắt buộc với dòng của công trình dùng chung; nếu có MST thì phải là KCN của doanh nghiệp.",
            help_en="Required for shared-facility rows; with a tax code it must be the enterprise's park.",
        ),
        Column(
            "facility",
            "Công trình dùng chung",
            "Shared facility",
            aliases=("hạ tầng dùng chung", "facility"),
            help_vi="Tên công trình hạ tầng dùng chung (trạm XLNT tập trung, điện mặt trời mái nhà...).",
            help_en="Name of the shared infrastructure (central WWTP, rooftop solar, ...).",
        ),
        Column(
            "resource",
            "Mã tài nguyên",
            "Resource",
            required=True,
            aliases=("tài nguyên", "resource code", "mã nguồn lực"),
            help_vi="Mã, tên hoặc tên gọi khác của tài nguyên (xem danh mục bên dưới).",
            help_en="Resource code, name or synonym (see the catalogue below).",
        ),
        Column(
            "resource_name",
            "Tên tài nguyên",
            "Resource name",
            info=True,
            help_vi="Chỉ để đọc; không được nhập.",
            help_en="For reading only; ignored on import.",
        ),
        Column(
            "direction",
            "Chiều (vào/ra)",
            "Direction (in/out)",
            required=True,
            type=CHOICE,
            choices=DIRECTIONS,
            help_vi="vào hoặc ra",
            help_en="in or out",
        ),
        Column(
            "period",
            "Kỳ (tháng/năm)",
            "Period (month/year)",
            required=True,
            type=PERIOD,
            aliases=("tháng", "month", "kỳ báo cáo"),
            help_vi="mm/yyyy, yyyy-mm hoặc ô ngày của Excel; không được ở tương lai.",
            help_en="mm/yyyy, yyyy-mm or an Excel date; not in the future.",
        ),
        Column(
            "quantity",
            "Số lượng",
            "Quantity",
            required=True,
            type=DECIMAL,
            aliases=("khối lượng", "amount"),
            help_vi="Số không âm.",
            help_en="A non-negative number.",
        ),
        Column(
            "unit",
            "Đơn vị",
            "Unit",
            required=True,
            aliases=("đvt", "đơn vị tính"),
            help_vi="Đơn vị đo phù hợp với tài nguyên (t, kg, m3, kWh, GJ...).",
            help_en="A unit that fits the resource (t, kg, m3, kWh, GJ, ...).",
        ),
        Column(
            "origin",
            "Nguồn gốc",
            "Origin",
            type=CHOICE,
            choices=ORIGINS,
            help_vi="Chỉ với đầu vào.",
            help_en="Inputs only.",
        ),
        Column(
            "fate",
            "Hướng xử lý",
            "Fate",
            type=CHOICE,
            choices=FATES,
            help_vi="Chỉ với đầu ra.",
            help_en="Outputs only.",
        ),
        Column(
            "counterparty",
            "MST đối tác",
            "Counterparty tax code",
            type=TAX_CODE,
            aliases=("đối tác", "counterparty"),
            help_vi="MST nhà cung cấp (đầu vào) hoặc bên nhận (đầu ra), nếu có.",
            help_en="Tax code of the supplier (inputs) or receiver (outputs), if any.",
        ),
        Column(
            "data_quality",
            "Chất lượng dữ liệu",
            "Data quality",
            type=CHOICE,
            choices=DATA_QUALITIES,
            help_vi="Mặc định: Đo đạc.",
            help_en="Default: Measured.",
        ),
    ),
)

PARKS = Kind(
    key="parks",
    sheet_vi="Khu công nghiệp",
    sheet_en="Parks",
    sheet_aliases=("kcn", "park", "industrial parks"),
    columns=(
        Column("code", "Mã KCN", "Park code", required=True, aliases=("mã", "code")),
        Column(
            "name_vi",
            "Tên KCN",
            "Name (Vietnamese)",
            required=True,
            aliases=("tên", "tên tiếng việt"),
        ),
        Column("name_en", "Tên tiếng Anh", "Name (English)"),
        Column(
            "province",
            "Tỉnh/thành phố",
            "Province",
            required=True,
            aliases=("tỉnh", "mã tỉnh"),
            help_vi="Mã hoặc tên tỉnh/thành phố.",
            help_en="Province code or name.",
        ),
        Column(
            "total_area_ha", "Tổng diện tích (ha)", "Total area (ha)", required=True, type=DECIMAL
        ),
        Column("industrial_land_ha", "Đất công nghiệp (ha)", "Industrial land (ha)", type=DECIMAL),
        Column("green_area_ha", "Diện tích cây xanh (ha)", "Green area (ha)", type=DECIMAL),
        Column("occupancy_pct", "Tỷ lệ lấp đầy (%)", "Occupancy (%)", type=DECIMAL),
        Column("established_on", "Ngày thành lập", "Established on", type=DATE),
        Column("status", "Tình trạng", "Status", type=CHOICE, choices=PARK_STATUSES),
        Column(
            "eco_status",
            "Tình trạng KCN sinh thái",
            "EIP status",
            type=CHOICE,
            choices=ECO_STATUSES,
        ),
        Column("latitude", "Vĩ độ", "Latitude", type=FLOAT),
        Column("longitude", "Kinh độ", "Longitude", type=FLOAT),
    ),
)

ENTERPRISES = Kind(
    key="enterprises",
    sheet_vi="Doanh nghiệp",
    sheet_en="Enterprises",
    sheet_aliases=("dn", "enterprise", "companies"),
    columns=(
        Column(
            "tax_code", "Mã số thuế", "Tax code", required=True, type=TAX_CODE, aliases=("MST",)
        ),
        Column("name_vi", "Tên doanh nghiệp", "Name (Vietnamese)", required=True, aliases=("tên",)),
        Column("name_en", "Tên tiếng Anh", "Name (English)"),
        Column("park", "Mã KCN", "Park code", required=True, aliases=("khu công nghiệp",)),
        Column("plot", "Lô đất", "Plot"),
        Column("vsic", "Mã ngành VSIC", "VSIC code", required=True, aliases=("vsic", "ngành")),
        Column("size", "Quy mô", "Size", type=CHOICE, choices=SIZES),
        Column("ownership", "Loại hình sở hữu", "Ownership", type=CHOICE, choices=OWNERSHIPS),
        Column("workers_total", "Tổng số lao động", "Workers", type=INT),
        Column("workers_female", "Lao động nữ", "Female workers", type=INT),
        Column("latitude", "Vĩ độ", "Latitude", type=FLOAT),
        Column("longitude", "Kinh độ", "Longitude", type=FLOAT),
        Column("revenue_vnd", "Doanh thu (VNĐ)", "Revenue (VND)", type=DECIMAL),
        Column("value_added_vnd", "Giá trị gia tăng (VNĐ)", "Value added (VND)", type=DECIMAL),
        Column(
            "has_grievance_procedure",
            "Có thủ tục giải quyết khiếu nại",
            "Grievance procedure",
            type=BOOL,
            choices=YES_NO,
        ),
        Column(
            "publishes_information",
            "Công bố thông tin",
            "Publishes information",
            type=BOOL,
            choices=YES_NO,
        ),
        Column(
            "gender_equality_practice",
            "Thực hiện bình đẳng giới",
            "Gender equality practice",
            type=BOOL,
            choices=YES_NO,
        ),
        Column(
            "anti_harassment_rules",
            "Quy định chống quấy rối",
            "Anti-harassment rules",
            type=BOOL,
            choices=YES_NO,
        ),
        Column(
            "publish_flows",
            "Chia sẻ số liệu trong KCN",
            "Share flows within the park",
            type=BOOL,
            choices=YES_NO,
        ),
    ),
)

KINDS: dict[str, Kind] = {k.key: k for k in (PARKS, ENTERPRISES, FLOWS)}
# Import order: parks before the enterprises in them, enterprises before their flows.
ORDER = ("parks", "enterprises", "flows")
INSTRUCTIONS_SHEET = {"vi": "Hướng dẫn", "en": "Instructions"}


def is_instructions_sheet(name: str) -> bool:
    return fold(name) in {fold(v) for v in INSTRUCTIONS_SHEET.values()}


def kind_for_sheet_name(name: str) -> Kind | None:
    key = fold(name)
    for kind in KINDS.values():
        if key in {fold(x) for x in (kind.key, kind.sheet_vi, kind.sheet_en, *kind.sheet_aliases)}:
            return kind
    return None


def kind_for_headers(headers) -> Kind | None:
    """The kind whose required columns the headers cover best (at least two of them),
    then the one matching most headers; None when nothing fits."""
    best, best_score = None, (0.0, 0)
    texts = [h for h in headers if h not in (None, "")]
    for kind in KINDS.values():
        matched = {c.key for c in (kind.match_header(h) for h in texts) if c}
        required = [c.key for c in kind.columns if c.required]
        hits = sum(k in matched for k in required)
        score = (hits / len(required), len(matched))
        if hits >= 2 and score > best_score:
            best, best_score = kind, score
    return best

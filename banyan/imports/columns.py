"""The columns each kind of import reads, and matching a file's headers to them.

A header matches a column by its label in Chinese or English, or its key, ignoring case,
spaces and a trailing "*" (required) mark, in any order. The Chinese names are also written
out here, because a file's headers must match whatever language the page is in.
"""

import unicodedata
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # a lazy translation: the template's header in the user's language
    chinese: tuple[str, ...] = ()  # the Chinese headers people write, the first one canonical
    required: bool = False
    aliases: tuple[str, ...] = field(default=())


CUSTOMER_COLUMNS = (
    Column("name", _("Customer name"), ("客户名称", "客户名", "公司名称", "名称"), True),
    Column("kind", _("Customer kind"), ("客户性质", "客户种类", "企业/个人"), aliases=("kind",)),
    Column("type", _("Customer type"), ("客户类型", "类型")),
    Column("source", _("Source"), ("客户来源", "来源")),
    Column("industry", _("Industry"), ("行业", "所属行业")),
    Column("region", _("Region"), ("地区", "区域")),
    Column("phone", _("Phone"), ("电话", "客户电话", "公司电话")),
    Column("email", _("E-mail"), ("邮箱", "电子邮件", "客户邮箱"), aliases=("email", "mail")),
    Column("website", _("Website"), ("网址", "网站")),
    Column("address", _("Address"), ("地址", "客户地址")),
    Column("owner", _("Owner (user name)"), ("负责人", "所有者", "归属人"), aliases=("owner",)),
    Column("notes", _("Notes"), ("备注",)),
    Column("contact_name", _("Contact name"), ("联系人", "联系人姓名")),
    Column("contact_category", _("Contact category"), ("联系人类别", "联系人分类")),
    Column("contact_title", _("Job title"), ("职务", "职位"), aliases=("title",)),
    Column("contact_mobile", _("Mobile"), ("手机", "联系人手机", "手机号"), aliases=("mobile",)),
    Column("contact_phone", _("Contact phone"), ("联系人电话", "座机")),
    Column("contact_email", _("Contact e-mail"), ("联系人邮箱",), aliases=("contact email",)),
    Column("contact_birthday", _("Birthday"), ("生日", "联系人生日"), aliases=("birthday",)),
)

PRODUCT_COLUMNS = (
    Column("code", _("Product code"), ("产品编码", "编码", "产品编号"), True),
    Column("name", _("Product name"), ("产品名称", "名称"), True),
    Column("category", _("Category path"), ("产品分类", "分类", "类别")),
    Column("spec", _("Specification"), ("规格", "规格型号")),
    Column("unit", _("Unit"), ("单位",)),
    Column("list_price", _("List price"), ("标准价", "价格", "单价")),
    Column("cost", _("Cost"), ("成本", "成本价")),
    Column("kind", _("Product kind"), ("产品类型", "类型")),
    Column("tracks_stock", _("Tracks stock"), ("库存管理", "管理库存")),
    Column("low_stock_threshold", _("Low-stock threshold"), ("库存下限", "最低库存")),
)

STOCK_COLUMNS = (
    Column("warehouse", _("Warehouse"), ("仓库", "仓库名称"), True),
    Column("product_code", _("Product code"), ("产品编码", "编码", "产品编号"), True),
    Column("quantity", _("Quantity"), ("数量", "期初数量", "库存数量"), True),
)

COLUMNS = {"customers": CUSTOMER_COLUMNS, "products": PRODUCT_COLUMNS, "stock": STOCK_COLUMNS}


def header_key(text: str) -> str:
    """A header as compared: half-width, lower case, no spaces, no required mark."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(text.split()).strip("*").replace("_", "").replace("-", "")


def _names(column: Column) -> set[str]:
    names = {column.key, *column.chinese, *column.aliases}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            names.add(str(column.label))
    return {header_key(name) for name in names}


@dataclass(frozen=True)
class HeaderMatch:
    positions: dict[str, int]  # column key → index in the row
    headers: dict[str, str]  # column key → the header as the file writes it
    unknown: list[str]  # headers no column has
    missing: list[str]  # required columns absent (their labels)
    repeated: list[str]  # headers given twice


def match_headers(kind: str, header_row: list[str]) -> HeaderMatch:
    columns = COLUMNS[kind]
    lookup: dict[str, str] = {}
    # A name two columns could claim ("类型": customer type, also a product's kind) goes to
    # the first column of the list that has it.
    for column in columns:
        for name in _names(column):
            lookup.setdefault(name, column.key)
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    unknown, repeated = [], []
    for index, header in enumerate(header_row):
        if not (header or "").strip():
            continue
        key = lookup.get(header_key(header))
        if key is None:
            unknown.append(header)
        elif key in positions:
            repeated.append(header)
        else:
            positions[key] = index
            headers[key] = header
    missing = [str(c.label) for c in columns if c.required and c.key not in positions]
    return HeaderMatch(positions, headers, unknown, missing, repeated)


def template_headers(kind: str, *, sees_costs: bool = True) -> list[str]:
    """The template's headers in the current language, required ones marked with "*"."""
    headers = []
    for column in COLUMNS[kind]:
        if column.key == "cost" and not sees_costs:
            continue
        headers.append(f"{column.label}*" if column.required else str(column.label))
    return headers
